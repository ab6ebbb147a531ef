// The tenth batch's Go test: a test that fails through t.Errorf and one
// that panics, as a test binary reports them.
package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

func redeem(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("cannot redeem voucher %q: %w", v, err)
	}
	return n, nil
}

func mustRedeem(v string) int {
	n, err := redeem(v)
	if err != nil {
		panic(err.Error())
	}
	return n
}

func TestRedeem(t *testing.T) {
	if _, err := redeem(os.Getenv("VOUCHER")); err != nil {
		t.Errorf("redeem: %v", err)
	}
}

func TestRedeemPanics(t *testing.T) {
	mustRedeem(os.Getenv("VOUCHER"))
}
