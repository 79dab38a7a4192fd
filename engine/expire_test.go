package engine

import (
	"context"
	"testing"
	"time"
)

// genLog keeps appended records for replay.
type genLog struct {
	recs [][]byte
}

func (l *genLog) Append(typ byte, body []byte) (uint64, error) {
	l.recs = append(l.recs, append([]byte(nil), body...))
	return uint64(len(l.recs)), nil
}

func (l *genLog) Err() error { return nil }

// genCapture records the last reply.
type genCapture struct {
	Discard
	err    string
	status string
	n      int64
}

func (c *genCapture) Error(s string)  { c.err = s }
func (c *genCapture) Status(s string) { c.status = s }
func (c *genCapture) Int(n int64)     { c.n = n }

func genRun(t *testing.T, e *Engine, cl *Client, args ...string) *genCapture {
	t.Helper()
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	cmd, msg := Check(b)
	if cmd == nil {
		t.Fatalf("%v: %s", args, msg)
	}
	var w genCapture
	e.Exec(cl, cmd, b, &w)
	return &w
}

func TestExpireCycleLogsDeletes(t *testing.T) {
	var now int64 = 1_000_000
	e := New(Options{Clock: func() int64 { return now }})
	log := &genLog{}
	e.SetLog(log)
	cl := e.NewClient()
	for _, k := range []string{"a", "b", "c"} {
		genRun(t, e, cl, "SET", k, "v", "PX", "100")
	}
	genRun(t, e, cl, "SET", "keep", "v")
	genRun(t, e, cl, "SELECT", "3")
	genRun(t, e, cl, "SET", "d3", "v", "PX", "50")
	if n := e.ExpireCycle(); n != 0 {
		t.Fatalf("deleted %d before expiry", n)
	}
	now += 200
	if n := e.ExpireCycle(); n != 4 {
		t.Fatalf("deleted %d, want 4", n)
	}
	if e.dbs[0].Len() != 1 || e.dbs[3].Len() != 0 {
		t.Fatalf("left %d/%d keys", e.dbs[0].Len(), e.dbs[3].Len())
	}
	// Replaying the log reaches the same state, with the expired keys
	// removed (not merely expired) thanks to the logged DELs.
	r := New(Options{Clock: func() int64 { return 0 }})
	for i, rec := range log.recs {
		if err := r.Replay(uint64(i+1), RecCommands, rec); err != nil {
			t.Fatal(err)
		}
	}
	if r.dbs[0].Len() != 1 || r.dbs[3].Len() != 0 || r.dbs[0].keys["keep"] == nil {
		t.Fatalf("replayed %d/%d keys", r.dbs[0].Len(), r.dbs[3].Len())
	}
}

func TestStartStopExpiry(t *testing.T) {
	e := New(Options{})
	cl := e.NewClient()
	genRun(t, e, cl, "SET", "a", "v", "PX", "10")
	e.StartExpiry(context.Background())
	e.StartExpiry(context.Background()) // harmless
	deadline := time.Now().Add(2 * time.Second)
	for {
		e.mu.Lock()
		n := e.dbs[0].Len()
		e.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("active expiry did not run")
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.StopExpiry()
	e.StopExpiry()
}

func TestRelativeExpiryReplaysDeterministically(t *testing.T) {
	var now int64 = 5_000
	e := New(Options{Clock: func() int64 { return now }})
	log := &genLog{}
	e.SetLog(log)
	cl := e.NewClient()
	genRun(t, e, cl, "SET", "k", "v")
	genRun(t, e, cl, "EXPIRE", "k", "10")
	genRun(t, e, cl, "SET", "s", "v", "EX", "20")
	r := New(Options{Clock: func() int64 { return 999_999_999 }})
	for i, rec := range log.recs {
		if err := r.Replay(uint64(i+1), RecCommands, rec); err != nil {
			t.Fatal(err)
		}
	}
	if at := r.dbs[0].getExpire("k"); at != 15_000 {
		t.Fatalf("k expires at %d", at)
	}
	if at := r.dbs[0].getExpire("s"); at != 25_000 {
		t.Fatalf("s expires at %d", at)
	}
}
