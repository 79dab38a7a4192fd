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

// TestPresyncBeforeRoll: under everysec and no the tail goes to the
// background fsync once it holds 7/8 of a segment, before it rolls, so
// that the roll's fsync finds little left to write; under always, whose
// committer fsyncs every batch, it never does.
func TestPresyncBeforeRoll(t *testing.T) {
	const segment = presyncMin
	body := make([]byte, 8<<10)
	for _, p := range []Policy{EverySec, No, Always} {
		t.Run(p.String(), func(t *testing.T) {
			l := openLog(t, t.TempDir(), p, segment)
			defer closeLog(t, l)
			var first uint64
			var size int64
			var presynced bool
			state := func() {
				if err := l.do(func() error {
					first, size, presynced = l.tail.first, l.tail.size, l.tail.presynced
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			state()
			start := first
			for first == start && !presynced {
				lsn, err := l.Append(1, body)
				if err != nil {
					t.Fatal(err)
				}
				if err := l.Wait(lsn); err != nil {
					t.Fatal(err)
				}
				state()
			}
			switch {
			case p == Always && presynced:
				t.Fatalf("presynced at %d bytes under always", size)
			case p != Always && first != start:
				t.Fatal("rolled without a presync")
			case p != Always && size < segment-segment/8:
				t.Fatalf("presynced at %d bytes, before 7/8 of %d", size, segment)
			}
		})
	}
}
