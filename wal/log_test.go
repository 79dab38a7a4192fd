package wal

import (
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	for _, p := range []Policy{Always, EverySec, No} {
		got, err := ParsePolicy(strings.ToUpper(p.String()))
		if err != nil || got != p {
			t.Errorf("ParsePolicy(%q) = %v, %v", p, got, err)
		}
	}
	if _, err := ParsePolicy("sometimes"); err == nil || err.Error() != `invalid appendfsync "sometimes"` {
		t.Errorf("ParsePolicy(sometimes) error = %v", err)
	}
}

func TestRoundTripAcrossReopen(t *testing.T) {
	for _, p := range []Policy{Always, EverySec, No} {
		t.Run(p.String(), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data", "wal") // Open creates it
			l := openLog(t, dir, p, 512)
			if l.FirstLSN() != 0 || l.LastLSN() != 0 {
				t.Fatalf("fresh log: first %d last %d", l.FirstLSN(), l.LastLSN())
			}
			last := appendBatches(t, l, 40, 5)
			if l.Durable() != last {
				t.Fatalf("Durable = %d after Wait(%d)", l.Durable(), last)
			}
			closeLog(t, l)
			if n := len(segmentsOf(t, dir)); n < 4 {
				t.Fatalf("%d segments, want several", n)
			}

			l = openLog(t, dir, p, 512)
			defer closeLog(t, l)
			if l.FirstLSN() != 1 || l.LastLSN() != 200 || l.Durable() != 200 {
				t.Fatalf("reopened: first %d last %d durable %d", l.FirstLSN(), l.LastLSN(), l.Durable())
			}
			if l.Size() == 0 {
				t.Fatal("Size = 0")
			}
			replayCheck(t, l, 0, 200)
			replayCheck(t, l, 150, 200)
			replayCheck(t, l, 200, 200)
			appendN(t, l, 5)
		})
	}
}

func TestReplayRejectsGapAndFuture(t *testing.T) {
	l := openLog(t, t.TempDir(), No, 100)
	defer closeLog(t, l)
	appendBatches(t, l, 20, 1)
	if err := l.TruncateFront(10); err != nil {
		t.Fatal(err)
	}
	first := l.FirstLSN()
	if first < 3 || first > 11 {
		t.Fatalf("FirstLSN = %d after TruncateFront(10)", first)
	}
	noop := func(Record) error { return nil }
	if err := l.Replay(first-2, noop); err == nil {
		t.Errorf("Replay(%d) from a log starting at %d succeeded", first-2, first)
	}
	if err := l.Replay(21, noop); err == nil {
		t.Error("Replay(21) on a log ending at 20 succeeded")
	}
	replayCheck(t, l, 10, 20)
}

func TestClosedLog(t *testing.T) {
	l := openLog(t, t.TempDir(), Always, 0)
	last := appendN(t, l, 3)
	closeLog(t, l)
	if err := l.Wait(last); err != nil {
		t.Errorf("Wait(durable) after Close: %v", err)
	}
	if _, err := l.Append(1, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
	if err := l.Sync(); !errors.Is(err, ErrClosed) {
		t.Errorf("Sync after Close: %v", err)
	}
	if err := l.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestSyncCountsUnderNo(t *testing.T) {
	l := openLog(t, t.TempDir(), No, 0)
	defer closeLog(t, l)
	appendN(t, l, 10)
	if n := l.syncs.Load(); n != 0 {
		t.Fatalf("%d fsyncs under No", n)
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if n := l.syncs.Load(); n != 1 {
		t.Fatalf("%d fsyncs after Sync, want 1", n)
	}
}

// TestRoll: the tail rolls at the first batch after it reached the segment
// size, and the segment it leaves is fsynced even under No, so that every
// segment but the tail is on disk in full.
func TestRoll(t *testing.T) {
	dir := t.TempDir()
	const size = 300
	var syncs atomic.Int32
	l := openFaulty(t, dir, No, size, &Faults{Sync: func(sync func() error) error {
		syncs.Add(1)
		return sync()
	}})
	for range 20 {
		appendN(t, l, 7) // a batch of at most 7 records, 60 bytes at most each
		segs := segmentsOf(t, dir)
		var tail int64
		if err := l.do(func() error { tail = l.tail.size; return nil }); err != nil {
			t.Fatal(err)
		}
		if want := segs[len(segs)-1].size; tail != want {
			t.Fatalf("the committer counts %d bytes in the tail, the file has %d", tail, want)
		}
		for _, seg := range segs[:len(segs)-1] {
			if seg.size < size || seg.size >= size+7*60 {
				t.Fatalf("segment %d holds %d bytes, segment size %d", seg.first, seg.size, size)
			}
		}
	}
	n := len(segmentsOf(t, dir))
	if n < 5 {
		t.Fatalf("%d segments, want several", n)
	}
	closeLog(t, l)
	if got := syncs.Load(); got != int32(n+1) {
		t.Fatalf("%d fsyncs for %d segments under No, want one at open, one per roll and one at close", got, n)
	}
}

func TestEverySecTicker(t *testing.T) {
	l := openLog(t, t.TempDir(), EverySec, 0)
	defer closeLog(t, l)
	appendN(t, l, 3)
	deadline := time.Now().Add(3 * time.Second)
	for l.syncs.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no fsync within 3s under everysec")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
