// A Go service that reports its failures through loggers: klog's
// formatted and structured error lines, hclog's text and JSON lines,
// the standard logger's Panicf (the line, then the panic), and panics
// with messages of their own raised in one function.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/hashicorp/go-hclog"
	"k8s.io/klog"
)

func seat(id string) (int, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return 0, fmt.Errorf("seat %s: %w", id, err)
	}
	return n, nil
}

func reserve(id string) error {
	if _, err := seat(id); err != nil {
		return fmt.Errorf("reserve: %w", err)
	}
	return errors.New("unreachable")
}

func main() {
	what, val := os.Args[1], os.Args[2]
	err := reserve(val)
	switch what {
	case "klog-format", "klog-structured":
		fs := flag.NewFlagSet("klog", flag.ContinueOnError)
		klog.InitFlags(fs)
		_ = fs.Parse([]string{"-logtostderr=true"})
		if what == "klog-format" {
			// no word of the message says error: the E does
			klog.Errorf("reservation of %s gave up after %d attempts", val, len(val))
		} else {
			klog.ErrorS(err, "reservation failed", "seat", val)
		}
		klog.Flush()
	case "hclog-text", "hclog-json":
		l := hclog.New(&hclog.LoggerOptions{Name: "theatre", Output: os.Stderr,
			JSONFormat: what == "hclog-json", IncludeLocation: true})
		l.Error("reservation gave up", "seat", val, "error", err, "attempts", len(val))
	case "log-panicf":
		log.Panicf("reservation of %s gave up: %v", val, err)
	case "panic-seat":
		panic(fmt.Sprintf("seat %s is taken", val))
	case "panic-hall":
		panic(fmt.Sprintf("hall of seat %s is closed", val))
	}
}
