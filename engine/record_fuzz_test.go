package engine

import (
	"strings"
	"testing"
)

// seedRecords runs commands through an engine and returns the record
// bodies it logs: plain commands, a resolved one (XADD *) and a
// transaction.
func seedRecords(tb testing.TB) [][]byte {
	e := New(Options{Clock: func() int64 { return 1_700_000_000_000 }})
	log := &genLog{}
	e.SetLog(log)
	cl := e.NewClient()
	run := func(args ...string) {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		cmd, msg := Check(b)
		if cmd == nil {
			tb.Fatalf("%v: %s", args, msg)
		}
		e.Exec(cl, cmd, b, &genCapture{})
	}
	run("XADD", "s", "*", "f", "v")
	run("XADD", "s", "MAXLEN", "~", "10", "*", "a", "1", "b", "2")
	run("XGROUP", "CREATE", "s", "g", "0")
	run("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
	run("XACK", "s", "g", "0-1")
	run("SET", "k", "v", "PX", "5000")
	run("DEL", "k")
	var multi []Queued
	for _, args := range [][]string{{"XADD", "t", "1-1", "x", "y"}, {"INCR", "n"}} {
		b := make([][]byte, len(args))
		for i, a := range args {
			b[i] = []byte(a)
		}
		cmd, _ := Check(b)
		multi = append(multi, Queued{Cmd: cmd, Args: b})
	}
	e.ExecMulti(cl, multi, nil, &genCapture{})
	if len(log.recs) < 7 {
		tb.Fatalf("only %d records logged", len(log.recs))
	}
	return log.recs
}

// FuzzReplay feeds arbitrary record bodies to the engine's record decoder:
// it must reject what it cannot decode with an error naming the record,
// never panic, and leave an engine that can still be snapshotted.
func FuzzReplay(f *testing.F) {
	for _, rec := range seedRecords(f) {
		f.Add(rec)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := New(Options{Clock: func() int64 { return 1_700_000_000_000 }})
		if err := e.Replay(7, RecCommands, body); err != nil && !strings.HasPrefix(err.Error(), "engine: record 7: ") {
			t.Fatalf("error does not name the record: %v", err)
		}
		if _, _, err := e.Capture(); err != nil {
			t.Fatalf("Capture after replay: %v", err)
		}
	})
}

// TestReplaySeeds: the seeds replay into the state that logged them.
func TestReplaySeeds(t *testing.T) {
	e := New(Options{Clock: func() int64 { return 1_700_000_000_000 }})
	for i, rec := range seedRecords(t) {
		if err := e.Replay(uint64(i+1), RecCommands, rec); err != nil {
			t.Fatal(err)
		}
	}
	cl := e.NewClient()
	for _, c := range []struct {
		args []string
		want int64
	}{{[]string{"XLEN", "s"}, 2}, {[]string{"XLEN", "t"}, 1}, {[]string{"EXISTS", "k"}, 0}} {
		if got := genRun(t, e, cl, c.args...).n; got != c.want {
			t.Errorf("%v = %d, want %d", c.args, got, c.want)
		}
	}
	// The protocol layer registers its commands without Run; this package's
	// tests do not link it, so register one here.
	Register(&Cmd{Name: "testconn", Arity: 1, Flags: FlagConn})
	if err := e.Replay(99, RecCommands, append([]byte{1, 1, 0, 1, 8}, "testconn"...)); err == nil ||
		!strings.Contains(err.Error(), "not a logged command") {
		t.Errorf("a record naming a connection command: %v", err)
	}
}
