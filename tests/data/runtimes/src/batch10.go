// The tenth batch's Go program: the runtime's fatal error for a mutex
// unlocked twice.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func parseCode(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("cannot redeem voucher %q: %w", v, err)
	}
	return n, nil
}

type ledger struct {
	mu    sync.Mutex
	spent map[string]int
}

func (l *ledger) redeem(v string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := parseCode(v); err != nil {
		l.mu.Unlock()
		return
	}
	l.spent[v]++
}

func main() {
	switch os.Args[1] {
	case "unlock":
		l := &ledger{spent: map[string]int{}}
		l.redeem(os.Args[2])
	}
}
