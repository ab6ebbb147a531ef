// A fourth batch of Go failures: a wrapped error logged as key=value text
// and as JSON lines (log/slog's two handlers' layouts; Go 1.19 has no
// log/slog, so the lines are written as its handlers write them), a panic
// with a struct value, a panic with an error type's value, a panic among
// many blocked goroutines with every goroutine's trace, a failed type
// assertion, a close of a closed channel.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

var errDeclined = errors.New("card declined")

type ChargeError struct {
	Order string
	Code  int
}

func (e *ChargeError) Error() string { return "charge " + e.Order + " failed with code " + strconv.Itoa(e.Code) }

type Quota struct {
	Tenant string
	Used   int
}

func charge(order string) error {
	return fmt.Errorf("charge %s: %w", order, errDeclined)
}

func settle(order string) error {
	if err := charge(order); err != nil {
		return fmt.Errorf("settle order %s: %w", order, err)
	}
	return nil
}

func now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func slogText(msg, order string, err error) {
	fmt.Fprintf(os.Stderr, "time=%s level=ERROR msg=%s order=%s err=%s\n", now(), strconv.Quote(msg), order, strconv.Quote(err.Error()))
}

func slogJSON(msg, order string, err error) {
	b, _ := json.Marshal(struct {
		Time  string `json:"time"`
		Level string `json:"level"`
		Msg   string `json:"msg"`
		Order string `json:"order"`
		Err   string `json:"err"`
	}{now(), "ERROR", msg, order, err.Error()})
	fmt.Fprintln(os.Stderr, string(b))
}

func enforce(tenant string) {
	panic(Quota{Tenant: tenant, Used: len(tenant) * 100})
}

func capture(order string) {
	panic(&ChargeError{Order: order, Code: 402 + len(order)})
}

func waiter(ch chan int, wg *sync.WaitGroup) {
	wg.Done()
	<-ch
}

func sweep(id string) {
	time.Sleep(50 * time.Millisecond)
	panic("sweep " + id + " found a corrupt page")
}

func count(v interface{}) int {
	return v.(int) + 1
}

type feed struct{ ch chan string }

func (f *feed) stop() { close(f.ch) }

func main() {
	what, val := os.Args[1], os.Args[2]
	switch what {
	case "slog-text":
		slogText("settlement failed", val, settle(val))
	case "slog-json":
		slogJSON("settlement failed", val, settle(val))
	case "panic-struct":
		enforce("t-" + val)
	case "panic-error":
		capture(val)
	case "many-goroutines":
		ch := make(chan int)
		var wg sync.WaitGroup
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go waiter(ch, &wg)
		}
		wg.Wait()
		go sweep(val)
		time.Sleep(time.Second)
	case "assert":
		fmt.Println(count(val))
	case "close":
		f := &feed{ch: make(chan string)}
		f.stop()
		f.stop()
	}
}
