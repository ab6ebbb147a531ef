// A Go service that logs through logr with funcr's JSON sink: an error
// record carries "msg" and "error" and no level (funcr writes "level"
// on info records only, as their V-level, 0 and up), with the caller,
// a timestamp and named loggers as funcr's options add them, after info
// records that are no error.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

func berth(id string) (int, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return 0, fmt.Errorf("berth %s: %w", id, err)
	}
	return n, nil
}

func dock(id string) error {
	if _, err := berth(id); err != nil {
		return fmt.Errorf("dock vessel: %w", err)
	}
	return nil
}

func sink(opts funcr.Options) logr.Logger {
	return funcr.NewJSON(func(obj string) { fmt.Fprintln(os.Stderr, obj) }, opts)
}

func main() {
	what, val := os.Args[1], os.Args[2]
	err := dock(val)
	switch what {
	case "error":
		sink(funcr.Options{}).Error(err, "docking failed", "vessel", val)
	case "caller":
		l := sink(funcr.Options{LogCaller: funcr.All, LogTimestamp: true})
		l.WithName("harbour").WithName("berths").Error(err, "docking failed", "vessel", val)
	case "after-info":
		// info records at V-levels 0 and 1 are no error
		l := sink(funcr.Options{Verbosity: 1})
		l.Info("vessel arriving", "vessel", val)
		l.V(1).Info("berth lookup", "vessel", val, "tries", len(val))
		l.Error(err, "docking failed", "vessel", val)
	case "values":
		l := sink(funcr.Options{}).WithValues("port", "north", "crane", len(val))
		l.Error(fmt.Errorf("crane %d jammed while unloading %s", len(val), val), "unloading stopped")
	}
}
