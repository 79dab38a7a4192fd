package engine

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// faultyEngine returns an engine whose ECHO panics while *armed is set.
func faultyEngine(onFatal func(error)) (*Engine, *atomic.Bool, *genLog) {
	armed := &atomic.Bool{}
	armed.Store(true)
	e := New(Options{OnFatal: onFatal, BeforeCommand: func(name string) {
		if name == "echo" && armed.Load() {
			panic("injected")
		}
	}})
	log := &genLog{}
	e.SetLog(log)
	return e, armed, log
}

// mustPanic runs f and returns what it panicked with.
func mustPanic(t *testing.T, f func()) (v any) {
	t.Helper()
	defer func() { v = recover() }()
	f()
	t.Fatal("no panic")
	return nil
}

func queued(t *testing.T, args ...string) Queued {
	t.Helper()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	cmd, msg := Check(b)
	if cmd == nil {
		t.Fatal(msg)
	}
	return Queued{Cmd: cmd, Args: b}
}

func TestPanicBeforeAnyChangeKeepsServing(t *testing.T) {
	e, _, _ := faultyEngine(func(err error) { t.Errorf("OnFatal(%v)", err) })
	cl := e.NewClient()
	genRun(t, e, cl, "SET", "k", "v")
	if v := mustPanic(t, func() { genRun(t, e, cl, "ECHO", "x") }); v != "injected" {
		t.Fatalf("panicked with %v", v)
	}
	// Even inside a transaction, as long as nothing was changed before.
	mustPanic(t, func() { e.ExecMulti(cl, []Queued{queued(t, "GET", "k"), queued(t, "ECHO", "x")}, nil, Discard{}) })
	if e.Fatal() != nil {
		t.Fatalf("stopped: %v", e.Fatal())
	}
	// The lock was released and commands run as before.
	if w := genRun(t, e, cl, "EXISTS", "k"); w.n != 1 || w.err != "" {
		t.Fatalf("EXISTS: %d %q", w.n, w.err)
	}
	if cl.InExec {
		t.Fatal("client left in EXEC")
	}
}

func TestPanicAfterChangeStopsEngine(t *testing.T) {
	fatal := make(chan error, 1)
	e, _, log := faultyEngine(func(err error) { fatal <- err })
	cl := e.NewClient()
	genRun(t, e, cl, "SET", "k", "v")
	logged := len(log.recs)
	mustPanic(t, func() {
		e.ExecMulti(cl, []Queued{queued(t, "SET", "k", "w"), queued(t, "ECHO", "x")}, nil, Discard{})
	})
	select {
	case err := <-fatal:
		if !strings.Contains(err.Error(), "echo panicked and may have left state half changed: injected") {
			t.Fatalf("OnFatal(%v)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnFatal not called")
	}
	if e.Fatal() == nil {
		t.Fatal("engine still serving")
	}
	if len(log.recs) != logged {
		t.Fatal("the half-run transaction reached the log")
	}
	// Every later command is refused, nothing more is saved or expired.
	if w := genRun(t, e, cl, "GET", "k"); w.err != ErrInternal {
		t.Fatalf("GET after the panic: %q", w.err)
	}
	if _, _, err := e.Capture(); err == nil {
		t.Fatal("snapshot of the state after the panic")
	}
	if n := e.ExpireCycle(); n != 0 {
		t.Fatalf("expired %d keys", n)
	}
}

// A blocked command that panics when it is retried leaves no wait behind.
func TestPanicOnRetryDropsTheWait(t *testing.T) {
	e, armed, _ := faultyEngine(func(err error) { t.Errorf("OnFatal(%v)", err) })
	cl, other := e.NewClient(), e.NewClient()
	e.beforeCommand = func(name string) {
		if name == "xread" && armed.Load() && cl.block != nil {
			panic("injected")
		}
	}
	genRun(t, e, cl, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	if !cl.Blocked() || e.BlockedClients() != 1 {
		t.Fatal("XREAD did not block")
	}
	genRun(t, e, other, "XADD", "s", "*", "f", "v")
	if !e.Wait(cl, nil, nil) {
		t.Fatal("not woken")
	}
	mustPanic(t, func() { e.Retry(cl, Discard{}) })
	if cl.Blocked() || e.BlockedClients() != 0 {
		t.Fatalf("wait left behind: %d blocked", e.BlockedClients())
	}
	if e.Fatal() != nil {
		t.Fatalf("stopped: %v", e.Fatal())
	}
}

// Handlers change state before they count the change, so a panic inside a
// write command's handler stops the engine even with nothing counted; one
// inside a read's handler does not.
func TestPanicInsideWriteHandlerStopsEngine(t *testing.T) {
	fatal := make(chan error, 1)
	e, _, _ := faultyEngine(func(err error) { fatal <- err })
	cl := e.NewClient()
	read := &Cmd{Name: "faultyread", Arity: 1, Flags: FlagReadOnly, Run: func(*Ctx) { panic("in a read") }}
	mustPanic(t, func() { e.Exec(cl, read, [][]byte{[]byte("faultyread")}, Discard{}) })
	if e.Fatal() != nil {
		t.Fatalf("a read's panic stopped the engine: %v", e.Fatal())
	}
	write := &Cmd{Name: "faultywrite", Arity: 1, Flags: FlagWrite, Run: func(c *Ctx) {
		c.db.set("half", &stringValue{b: []byte("done")})
		panic("before Dirty")
	}}
	mustPanic(t, func() { e.Exec(cl, write, [][]byte{[]byte("faultywrite")}, Discard{}) })
	select {
	case err := <-fatal:
		if !strings.Contains(err.Error(), "faultywrite panicked and may have left state half changed: before Dirty") {
			t.Fatalf("OnFatal(%v)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnFatal not called")
	}
}
