// The twelfth batch's Go: glog, as servers that use it report an error
// they give up on (Fatalf, which dumps every goroutine's stack) and one
// they go on after (Errorf).
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/golang/glog"
)

type VoucherError struct{ Code string }

func (e *VoucherError) Error() string { return fmt.Sprintf("voucher code %q is not numeric", e.Code) }

func parseCode(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &VoucherError{Code: v}
	}
	return n, nil
}

func worker(v string, wg *sync.WaitGroup, mode string) {
	defer wg.Done()
	if _, err := parseCode(v); err != nil {
		if mode == "fatal" {
			glog.Fatalf("redeem worker: %v", err)
		}
		glog.Errorf("redeem worker: %v", err)
	}
}

func main() {
	mode, v := os.Args[1], os.Args[2]
	flag.CommandLine.Parse([]string{"-logtostderr"})
	var wg sync.WaitGroup
	wg.Add(1)
	go worker(v, &wg, mode)
	wg.Wait()
	glog.Flush()
}
