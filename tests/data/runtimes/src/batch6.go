// A sixth batch of Go failures: hclog's text and JSON output, klog's
// structured and formatted lines, klog.Fatal's dump of every goroutine,
// the standard logger's Panicf, a panic whose message runs over several
// lines, and a panic while another one unwinds.
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

type slotError struct {
	slot string
	err  error
}

func (e *slotError) Error() string { return "slot " + e.slot + ": " + e.err.Error() }
func (e *slotError) Unwrap() error { return e.err }

func settle(slot string) error {
	if _, err := strconv.Atoi(slot); err != nil {
		return &slotError{slot, fmt.Errorf("settle: %w", err)}
	}
	return nil
}

func book(slot string) error {
	if err := settle(slot); err != nil {
		return fmt.Errorf("book %s: %w", slot, err)
	}
	return nil
}

func release(slot string) {
	defer func() {
		panic(fmt.Sprintf("release of %s left the ledger open", slot))
	}()
	panic(book(slot))
}

func main() {
	what, val := os.Args[1], os.Args[2]
	err := book(val)
	switch what {
	case "hclog-text", "hclog-json":
		l := hclog.New(&hclog.LoggerOptions{Name: "bookings", Output: os.Stderr,
			JSONFormat: what == "hclog-json", IncludeLocation: true})
		l.Error("booking failed", "slot", val, "error", err)
	case "klog-structured", "klog-format", "klog-fatal":
		fs := flag.NewFlagSet("klog", flag.ContinueOnError)
		klog.InitFlags(fs)
		_ = fs.Parse([]string{"-logtostderr=true"})
		switch what {
		case "klog-structured":
			klog.ErrorS(err, "booking failed", "slot", val, "attempt", len(val))
		case "klog-format":
			klog.Errorf("booking %s failed after %d attempts: %v", val, len(val), err)
		default:
			klog.Fatalf("cannot load the ledger for %s: %v", val, err)
		}
		klog.Flush()
	case "log-panicf":
		log.Panicf("booking %s failed: %v", val, err)
	case "multiline":
		var se *slotError
		if errors.As(err, &se) {
			panic(fmt.Sprintf("ledger inconsistent:\n  slot: %s\n  cause: %v\n  attempts: %d", se.slot, se.err, len(val)))
		}
	case "double":
		release(val)
	}
}
