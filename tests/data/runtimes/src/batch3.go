// A third batch of Go failures: a panic with a wrapped custom error,
// log.Fatalf, a panic in a goroutine a method started, a panic net/http
// recovered and logged.
package main

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
)

type NotFoundError struct{ ID string }

func (e *NotFoundError) Error() string { return "order " + e.ID + " not found" }

func find(id string) error { return &NotFoundError{ID: id} }

func load(id string) {
	if err := find(id); err != nil {
		panic(fmt.Errorf("load %s: %w", id, err))
	}
}

func openLedger(id string) {
	if _, err := os.Open("/nonexistent/" + id + ".ledger"); err != nil {
		log.Fatalf("cannot open ledger %s: %v", id, err)
	}
}

type Pool struct {
	name string
	wg   sync.WaitGroup
}

func (p *Pool) Start(id string) {
	p.wg.Add(1)
	go p.run(id)
}

func (p *Pool) run(id string) {
	defer p.wg.Done()
	p.lease(id)
}

func (p *Pool) lease(id string) {
	panic("lease " + id + " expired in pool " + p.name)
}

func refund(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	panic("refund " + id + " has no payment")
}

func main() {
	what, val := os.Args[1], os.Args[2]
	switch what {
	case "wrapped":
		load(val)
	case "fatalf":
		openLedger(val)
	case "method-goroutine":
		p := &Pool{name: "settle"}
		p.Start(val)
		p.wg.Wait()
	case "http":
		srv := httptest.NewServer(http.HandlerFunc(refund))
		if resp, err := http.Get(srv.URL + "/refund?id=" + val); err == nil {
			resp.Body.Close()
		}
		srv.Close()
	}
}
