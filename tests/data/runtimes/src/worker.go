// Fails in other ways a Go worker does: goroutines, maps, deadlocks,
// nil pointers, a panic while recovering.
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

type account struct {
	owner *string
	limits map[string]int
}

func limitOf(a *account, key string) int {
	return len(*a.owner) + a.limits[key]
}

func setLimit(a *account, key string, v int) {
	a.limits[key] = v
}

func worker(id string, done chan struct{}) {
	defer close(done)
	panic(fmt.Errorf("worker %s lost its lease", id))
}

func hammer(m map[string]int, id string, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < 1000000; i++ {
		m[id]++
	}
}

func main() {
	what, val := os.Args[1], os.Args[2]
	switch what {
	case "goroutine":
		done := make(chan struct{})
		go worker(val, done)
		<-done
		time.Sleep(time.Second)
	case "nil-map":
		setLimit(&account{}, val, 3)
	case "nil-pointer":
		fmt.Println(limitOf(&account{}, val))
	case "concurrent":
		m := map[string]int{}
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go hammer(m, val, &wg)
		}
		wg.Wait()
	case "deadlock":
		ch := make(chan string)
		ch <- val
	case "repanic":
		defer func() {
			r := recover()
			panic(fmt.Sprintf("cleanup after %v failed", r))
		}()
		panic("order " + val + " rejected")
	}
}
