package wal

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestBackgroundFsync: under EverySec the once-a-second fsync runs beside
// the committer, on the tail's own descriptor. While it hangs, records are
// still written and Wait returns for them; and Sync does not count on it,
// since it may have started before their write.
func TestBackgroundFsync(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	l := openFaulty(t, t.TempDir(), EverySec, 0, &Faults{Sync: func(sync func() error) error {
		if calls.Add(1) == 2 { // the first is Open's, the second the ticker's
			close(entered)
			<-release
		}
		return sync()
	}})
	appendN(t, l, 3)
	select {
	case <-entered:
	case <-time.After(3 * time.Second):
		t.Fatal("no background fsync within 3s")
	}
	within(t, "Sync while the background fsync hangs", func() {
		if err := l.Sync(); err != nil {
			t.Error(err)
		}
	})
	if n := calls.Load(); n != 3 {
		t.Fatalf("Sync made %d fsyncs in all, want its own after the hanging one", n)
	}
	within(t, "writes while the background fsync hangs", func() { appendN(t, l, 100) })
	close(release)
	closeLog(t, l)
}

// within runs fn and fails the test if it takes more than 5 seconds.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: not done within 5s", what)
	}
}
