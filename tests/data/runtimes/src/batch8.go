// The eighth batch's Go program: github.com/pkg/errors (Debian's
// package) with its stacks, printed with %+v.  "batch8 SCENARIO VALUE"
package main

import (
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/pkg/errors"
)

func parseQty(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.Errorf("bad quantity %q", s)
	}
	return n, nil
}

func post(s string) error {
	_, err := parseQty(s)
	return errors.Wrap(err, "post")
}

func settle(s string) error {
	if _, err := strconv.Atoi(s); err != nil {
		return errors.WithStack(err)
	}
	return nil
}

func main() {
	v := os.Args[2]
	switch os.Args[1] {
	case "printf":
		_, err := parseQty(v)
		log.Printf("cannot post: %+v", err)
	case "wrapped":
		fmt.Fprintf(os.Stderr, "error: %+v\n", post(v))
		os.Exit(1)
	case "fatal":
		log.Fatalf("settlement failed: %+v", settle(v))
	case "panic":
		panic(post(v))
	}
}
