// Fails in the ways a Go service does.  (Go 1.19 has no log/slog.)
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"runtime/debug"
)

func index(n int) int {
	s := make([]int, 3)
	return s[n]
}

func recurse(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return recurse(n+1) + int(pad[0])
}

func deep(n int, id string) {
	if n == 0 {
		panic("order " + id + " has no owner")
	}
	deep(n-1, id)
}

func handler(id string) error {
	return errors.New("upstream refused order " + id)
}

func main() {
	what, val := os.Args[1], os.Args[2]
	switch what {
	case "index":
		n := len(val) + 3
		fmt.Println(index(n))
	case "custom":
		panic(fmt.Sprintf("order %s has no owner", val))
	case "overflow":
		recurse(0)
	case "deep":
		deep(150, val)
	case "log-stack":
		if err := handler(val); err != nil {
			log.Printf("ERROR handler failed: %v\n%s", err, debug.Stack())
		}
	}
}
