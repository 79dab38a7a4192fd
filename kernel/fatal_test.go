package kernel_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sluice/commands"
	"sluice/kernel"
)

// faultyEngine returns an engine whose ECHO panics while *armed is set.
func faultyEngine(onFatal func(error)) (*kernel.Engine, *atomic.Bool, *memLog) {
	armed := &atomic.Bool{}
	armed.Store(true)
	clock := int64(1_700_000_000_000)
	e := kernel.New(kernel.Options{Commands: commands.Table(), Params: commands.Params(),
		Clock: func() int64 { return clock }, OnFatal: onFatal,
		BeforeCommand: func(name string) {
			if name == "echo" && armed.Load() {
				panic("injected")
			}
		}})
	log := &memLog{}
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

func queued(t *testing.T, e *kernel.Engine, args ...string) kernel.Queued {
	t.Helper()
	a := argv(args...)
	cmd, msg := e.Commands().Check(a)
	if cmd == nil {
		t.Fatal(msg)
	}
	return kernel.Queued{Cmd: cmd, Args: a}
}

// errReply keeps a reply's error.
type errReply struct {
	kernel.Discard
	err string
}

func (r *errReply) Error(s string) { r.err = s }

func run(t *testing.T, e *kernel.Engine, cl *kernel.Client, args ...string) string {
	t.Helper()
	q := queued(t, e, args...)
	var r errReply
	e.Exec(cl, q.Cmd, q.Args, &r)
	e.ServeReady()
	return r.err
}

func TestPanicBeforeAnyChangeKeepsServing(t *testing.T) {
	e, _, _ := faultyEngine(func(err error) { t.Errorf("OnFatal(%v)", err) })
	cl := e.NewClient()
	run(t, e, cl, "SET", "k", "v")
	if v := mustPanic(t, func() { run(t, e, cl, "ECHO", "x") }); v != "injected" {
		t.Fatalf("panicked with %v", v)
	}
	// Even inside a transaction, as long as nothing was changed before.
	mustPanic(t, func() {
		e.ExecMulti(cl, []kernel.Queued{queued(t, e, "GET", "k"), queued(t, e, "ECHO", "x")}, nil, kernel.Discard{})
	})
	if e.Fatal() != nil {
		t.Fatalf("stopped: %v", e.Fatal())
	}
	// The lock was released and commands run as before.
	if err := run(t, e, cl, "EXISTS", "k"); err != "" {
		t.Fatalf("EXISTS: %q", err)
	}
	if cl.InExec {
		t.Fatal("client left in EXEC")
	}
}

func TestPanicAfterChangeStopsEngine(t *testing.T) {
	fatal := make(chan error, 1)
	e, _, log := faultyEngine(func(err error) { fatal <- err })
	cl := e.NewClient()
	run(t, e, cl, "SET", "k", "v")
	logged := len(log.recs)
	mustPanic(t, func() {
		e.ExecMulti(cl, []kernel.Queued{queued(t, e, "SET", "k", "w"), queued(t, e, "ECHO", "x")}, nil, kernel.Discard{})
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
	if err := run(t, e, cl, "GET", "k"); err != kernel.ErrInternal {
		t.Fatalf("GET after the panic: %q", err)
	}
	if _, _, err := e.Capture(); err == nil {
		t.Fatal("snapshot of the state after the panic")
	}
	if n := e.ExpireCycle(); n != 0 {
		t.Fatalf("expired %d keys", n)
	}
}

// A write command that panics before it changed anything keeps the engine
// serving; one that panics after an effect stops it.
func TestPanicInWriteAfterEffectStopsEngine(t *testing.T) {
	fatal := make(chan error, 1)
	e, _, _ := faultyEngine(func(err error) { fatal <- err })
	cl := e.NewClient()
	early := &kernel.Command{Name: "earlywrite", Arity: 1, Flags: kernel.Write, Run: func(*kernel.Ctx) { panic("parsing") }}
	mustPanic(t, func() { e.Exec(cl, early, argv("earlywrite"), kernel.Discard{}) })
	if e.Fatal() != nil {
		t.Fatalf("a panic before any effect stopped the engine: %v", e.Fatal())
	}
	late := &kernel.Command{Name: "latewrite", Arity: 1, Flags: kernel.Write, Run: func(c *kernel.Ctx) {
		c.SetString([]byte("half"), []byte("done"), false)
		panic("after an effect")
	}}
	mustPanic(t, func() { e.Exec(cl, late, argv("latewrite"), kernel.Discard{}) })
	select {
	case err := <-fatal:
		if !strings.Contains(err.Error(), "latewrite panicked and may have left state half changed: after an effect") {
			t.Fatalf("OnFatal(%v)", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnFatal not called")
	}
}

// A blocked reader whose command panics when a write serves it gets the
// panic on its own goroutine; the writer's command completes.
func TestPanicWhenServedReachesTheWaiter(t *testing.T) {
	runs := 0
	e := kernel.New(kernel.Options{Commands: commands.Table(), Params: commands.Params(),
		OnFatal: func(err error) { t.Errorf("OnFatal(%v)", err) },
		BeforeCommand: func(name string) {
			if name == "xread" {
				if runs++; runs == 2 {
					panic("served")
				}
			}
		}})
	e.SetLog(&memLog{})
	reader, writer := e.NewClient(), e.NewClient()
	run(t, e, reader, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
	if !reader.Blocked() {
		t.Fatal("XREAD did not block")
	}
	if err := run(t, e, writer, "XADD", "s", "*", "f", "v"); err != "" {
		t.Fatalf("XADD: %q", err)
	}
	if v := mustPanic(t, func() { e.Wait(reader, nil) }); v != "served" {
		t.Fatalf("the reader's wait panicked with %v", v)
	}
	if reader.Blocked() || e.Fatal() != nil {
		t.Fatalf("blocked %v, fatal %v", reader.Blocked(), e.Fatal())
	}
	if err := run(t, e, writer, "XLEN", "s"); err != "" {
		t.Fatalf("XLEN: %q", err)
	}
}
