// The ninth batch's Go program: go-errors' stacks, go-kit's logfmt
// error records, a panic with GOTRACEBACK=crash.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"

	goerrors "github.com/go-errors/errors"
	kitlog "github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

func parseEntry(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("cannot load manifest entry %q: %w", v, err)
	}
	return n, nil
}

func loadManifest(v string) (int, error) {
	n, err := parseEntry(v)
	if err != nil {
		return 0, goerrors.Wrap(err, 0)
	}
	return n, nil
}

func main() {
	v := os.Args[2]
	switch os.Args[1] {
	case "go-errors":
		if _, err := loadManifest(v); err != nil {
			fmt.Fprintln(os.Stderr, err.(*goerrors.Error).ErrorStack())
			os.Exit(1)
		}
	case "go-kit":
		logger := kitlog.NewLogfmtLogger(kitlog.NewSyncWriter(os.Stderr))
		logger = kitlog.With(logger, "ts", kitlog.DefaultTimestampUTC, "caller", kitlog.DefaultCaller)
		if _, err := parseEntry(v); err != nil {
			level.Error(logger).Log("msg", "deploy failed", "entry", v, "err", err)
			os.Exit(1)
		}
	case "crash":
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := parseEntry(v); err != nil {
				panic(err)
			}
		}()
		wg.Wait()
	}
}
