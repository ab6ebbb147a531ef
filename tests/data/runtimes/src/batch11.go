// The eleventh batch's Go: a panic raised again by a deferred
// function while the first one unwinds, and runtime.Goexit in main
// once every other goroutine has finished.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
)

func parseCode(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		panic(fmt.Sprintf("voucher code %q is not numeric", v))
	}
	return n
}

func redeem(v string) {
	defer func() {
		if r := recover(); r != nil {
			panic(fmt.Sprintf("redeem %s: rollback failed after: %v", v, r))
		}
	}()
	parseCode(v)
}

func main() {
	what, v := os.Args[1], os.Args[2]
	switch what {
	case "repanic":
		redeem(v)
	case "goexit":
		done := make(chan int)
		go func() { done <- len(v) }()
		<-done
		runtime.Goexit()
	}
}
