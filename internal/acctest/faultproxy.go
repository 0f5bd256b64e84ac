package acctest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Fault is what a FaultProxy does to the requests after the first N.
type Fault int

const (
	// DropBefore closes the connection without forwarding the request: Vault never sees it.
	DropBefore Fault = iota
	// DropAfter forwards the request, then closes the connection: Vault did the work, but
	// the answer is lost.
	DropAfter
)

func (f Fault) String() string {
	if f == DropAfter {
		return "answer-lost"
	}
	return "request-lost"
}

// FaultProxy is a loopback HTTP proxy between the provider and Vault that a test controls:
// it counts requests, lets the connection die after N of them, answers chosen HTTP statuses,
// or runs a hook before a chosen request.
type FaultProxy struct {
	URL    string
	target *url.URL
	ln     net.Listener
	srv    *http.Server

	mu        sync.Mutex
	count     int
	failAfter int // -1: never
	fault     Fault
	tripped   bool
	statuses  []int // answered, in order, instead of forwarding
	always    int   // answered to every request when non-zero
	hookPath  string
	hook      func()
}

// NewFaultProxy starts a proxy to s on a free loopback port; it stops with the test.
func NewFaultProxy(t testing.TB, s *Server) *FaultProxy {
	t.Helper()
	target, err := url.Parse(s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &FaultProxy{URL: "http://" + ln.Addr().String(), target: target, ln: ln, failAfter: -1}
	p.srv = &http.Server{Handler: p}
	go func() { _ = p.srv.Serve(ln) }()
	t.Cleanup(func() { _ = p.srv.Close() })
	return p
}

// Reset forgets every fault and sets the count to zero.
func (p *FaultProxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.count, p.failAfter, p.tripped, p.statuses, p.always, p.hookPath, p.hook = 0, -1, false, nil, 0, "", nil
}

// FailAfter lets n more requests through, then applies fault to every later one.
func (p *FaultProxy) FailAfter(n int, fault Fault) {
	p.Reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failAfter, p.fault = n, fault
}

// Answer makes the next requests get these HTTP statuses (one each) instead of Vault's answer.
func (p *FaultProxy) Answer(statuses ...int) {
	p.Reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.statuses = statuses
}

// AnswerAlways makes every request get status.
func (p *FaultProxy) AnswerAlways(status int) {
	p.Reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.always = status
}

// BeforePath runs hook once, just before the first request whose path contains substr.
func (p *FaultProxy) BeforePath(substr string, hook func()) {
	p.Reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hookPath, p.hook = substr, hook
}

// Count is the number of requests since the last reset.
func (p *FaultProxy) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

// Tripped reports whether the fault of FailAfter was applied to at least one request.
func (p *FaultProxy) Tripped() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tripped
}

func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.count++
	n := p.count
	fail := p.failAfter >= 0 && n > p.failAfter
	if fail {
		p.tripped = true
	}
	fault := p.fault
	status := p.always
	if status == 0 && len(p.statuses) > 0 {
		status, p.statuses = p.statuses[0], p.statuses[1:]
	}
	var hook func()
	if p.hook != nil && strings.Contains(r.URL.Path, p.hookPath) {
		hook, p.hook = p.hook, nil
	}
	p.mu.Unlock()

	if hook != nil {
		hook()
	}
	if status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":["injected by the test's fault proxy: HTTP %d"]}`, status)
		return
	}
	if fail && fault == DropBefore {
		hangUp(w)
		return
	}
	body, _ := io.ReadAll(r.Body)
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target.String()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		hangUp(w)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		hangUp(w)
		return
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(resp.Body)
	if fail && fault == DropAfter {
		hangUp(w)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
