// A seventh batch of Go failures the runtime itself reports: concurrent
// writes to a map, every goroutine asleep (a deadlock), a nil map
// assignment, a closed channel closed again, and a type assertion that
// fails on an interface.
package main

import (
	"fmt"
	"os"
	"sync"
)

type ledger struct{ totals map[string]int }

func (l *ledger) post(k string) { l.totals[k]++ }

func racy(v string) {
	m := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 1000000; j++ {
				m[fmt.Sprint(v, j%16)] = i
			}
		}(i)
	}
	wg.Wait()
}

func deadlock(v string) {
	ch := make(chan string)
	ch <- v
}

func closeTwice(v string) {
	ch := make(chan string, 1)
	close(ch)
	close(ch)
}

func assert(v interface{}) int { return v.(int) }

func main() {
	v := os.Args[2]
	switch os.Args[1] {
	case "map-writes":
		racy(v)
	case "deadlock":
		deadlock(v)
	case "nil-map":
		var l ledger
		l.post(v)
	case "close-twice":
		closeTwice(v)
	case "assert":
		fmt.Println(assert(v))
	}
}
