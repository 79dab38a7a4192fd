//go:build linux && (amd64 || arm64)

package wal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestAsyncSyncFsyncsAFile(t *testing.T) {
	a, err := newAsyncSync()
	if err != nil {
		t.Skipf("no AIO here: %v", err)
	}
	defer a.destroy()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := range 3 { // the eventfd and the context serve one fsync after another
		if _, err := f.Write([]byte("data")); err != nil {
			t.Fatal(err)
		}
		if err := a.sync(f); err != nil {
			t.Fatalf("sync %d: %v", i, err)
		}
	}
}

func TestAsyncSyncRefusedIsNotAFailedFsync(t *testing.T) {
	a, err := newAsyncSync()
	if err != nil {
		t.Skipf("no AIO here: %v", err)
	}
	defer a.destroy()
	r, w, err := os.Pipe() // a pipe has no fsync: io_submit refuses the request
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := a.sync(w); !errors.Is(err, errNotSubmitted) {
		t.Fatalf("sync of a pipe = %v, want errNotSubmitted", err)
	}
}

// A log whose AIO requests are refused fsyncs plainly, once and for all,
// and still acknowledges nothing before its fsync.
func TestLogFallsBackToPlainFsync(t *testing.T) {
	dir := t.TempDir()
	var syncs int
	l := openFaulty(t, dir, Always, 0, &Faults{Sync: func(sync func() error) error {
		syncs++
		return sync()
	}})
	appendN(t, l, 1) // the first fsync under always sets AIO up
	var async *asyncSync
	if err := l.do(func() error { async = l.async; return nil }); err != nil {
		t.Fatal(err)
	}
	if async == nil {
		t.Skip("no AIO here")
	}
	// A destroyed context makes io_submit fail with EINVAL.
	broken := *async
	broken.event = nil // closed by destroy
	async.destroy()
	if err := l.do(func() error { l.async = &broken; return nil }); err != nil {
		t.Fatal(err)
	}
	before := syncs
	appendN(t, l, 10)
	if err := l.do(func() error {
		if l.async != nil {
			t.Error("the log kept its refused AIO context")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if syncs == before {
		t.Fatal("the records were acknowledged without an fsync")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, Always, 0)
	defer l.Close()
	if got := l.LastLSN(); got != 11 {
		t.Fatalf("reopened log ends at LSN %d, want 11", got)
	}
}

// Only always sets AIO up: a process that has a context waits for an RCU
// grace period at exit.
func TestAsyncSyncOnlyUnderAlways(t *testing.T) {
	l := openLog(t, t.TempDir(), EverySec, 0)
	defer l.Close()
	appendN(t, l, 3)
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := l.do(func() error {
		if l.async != nil || l.asyncTried {
			t.Error("an everysec log set AIO up")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
