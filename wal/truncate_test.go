package wal

import "testing"

// TestTruncateFrontWhileAppending: TruncateFront below the last LSN drops
// the segments a snapshot covers, whole, while appends go on, and the log
// reopens and replays from the snapshot.
func TestTruncateFrontWhileAppending(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, EverySec, 1024)
	const n, every = 3000, 300
	// The appender reports durable points and keeps appending while the
	// test truncates up to them.
	durable := make(chan uint64, n/every)
	go func() {
		defer close(durable)
		for want := uint64(1); want <= n; want++ {
			if lsn, err := l.Append(testType(want), testBody(want)); err != nil || lsn != want {
				t.Errorf("Append = %d, %v; want LSN %d", lsn, err, want)
				return
			}
			if want%every == 0 {
				if err := l.Wait(want); err != nil {
					t.Error(err)
					return
				}
				durable <- want
			}
		}
	}()
	var upto uint64
	for d := range durable {
		upto = d - 10
		if err := l.TruncateFront(upto); err != nil {
			t.Fatal(err)
		}
		segs := segmentsOf(t, dir)
		if first := l.FirstLSN(); first > upto+1 || first != segs[0].first {
			t.Fatalf("FirstLSN = %d after TruncateFront(%d), first segment %d", first, upto, segs[0].first)
		}
		if len(segs) > 1 && segs[1].first-1 <= upto {
			t.Fatalf("segment %d holds only records <= %d and was kept", segs[0].first, upto)
		}
	}
	if upto != n-10 {
		t.Fatalf("last truncation at %d, want %d", upto, n-10)
	}
	if err := l.Wait(n); err != nil {
		t.Fatal(err)
	}
	first := l.FirstLSN()
	closeLog(t, l)

	l = openLog(t, dir, EverySec, 1024)
	defer closeLog(t, l)
	if l.FirstLSN() != first || l.LastLSN() != n {
		t.Fatalf("reopened: first %d last %d, want %d %d", l.FirstLSN(), l.LastLSN(), first, n)
	}
	replayCheck(t, l, upto, n)
}

func TestTruncateFrontEverything(t *testing.T) {
	for _, segmentSize := range []int{0, 256} {
		dir := t.TempDir()
		l := openLog(t, dir, Always, segmentSize)
		appendBatches(t, l, 8, 5)
		if err := l.TruncateFront(40); err != nil {
			t.Fatal(err)
		}
		if l.FirstLSN() != 0 || l.LastLSN() != 40 {
			t.Fatalf("after truncating everything: first %d last %d", l.FirstLSN(), l.LastLSN())
		}
		closeLog(t, l)

		l = openLog(t, dir, Always, segmentSize)
		if l.FirstLSN() != 0 || l.LastLSN() != 40 {
			t.Fatalf("reopened empty: first %d last %d", l.FirstLSN(), l.LastLSN())
		}
		replayCheck(t, l, 40, 40)
		appendN(t, l, 3)
		closeLog(t, l)

		l = openLog(t, dir, Always, segmentSize)
		if l.FirstLSN() != 41 || l.LastLSN() != 43 {
			t.Fatalf("reopened: first %d last %d", l.FirstLSN(), l.LastLSN())
		}
		replayCheck(t, l, 40, 43)
		closeLog(t, l)
	}
}

// TestTruncateFrontPastEnd: a snapshot newer than the log's end (its unsynced
// tail was lost) restarts numbering after the snapshot.
func TestTruncateFrontPastEnd(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, No, 0)
	appendN(t, l, 5)
	if err := l.TruncateFront(20); err != nil {
		t.Fatal(err)
	}
	if l.FirstLSN() != 0 || l.LastLSN() != 20 || l.Durable() != 20 {
		t.Fatalf("first %d last %d durable %d", l.FirstLSN(), l.LastLSN(), l.Durable())
	}
	appendN(t, l, 2)
	closeLog(t, l)

	l = openLog(t, dir, No, 0)
	defer closeLog(t, l)
	if l.FirstLSN() != 21 || l.LastLSN() != 22 {
		t.Fatalf("reopened: first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	replayCheck(t, l, 20, 22)
}

func TestSetStart(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, Always, 0)
	if err := l.SetStart(100); err != nil {
		t.Fatal(err)
	}
	if l.FirstLSN() != 0 || l.LastLSN() != 100 {
		t.Fatalf("first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	if err := l.SetStart(50); err == nil {
		t.Error("SetStart below the last LSN succeeded")
	}
	appendN(t, l, 1)
	if err := l.SetStart(200); err == nil {
		t.Error("SetStart on a non-empty log succeeded")
	}
	closeLog(t, l)

	l = openLog(t, dir, Always, 0)
	defer closeLog(t, l)
	if l.FirstLSN() != 101 || l.LastLSN() != 101 {
		t.Fatalf("reopened: first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	replayCheck(t, l, 100, 101)
}

// DropBefore removes whole segments behind a snapshot while appends go on,
// and the log reopens and replays from the snapshot.
func TestDropBeforeWhileAppending(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, EverySec, 512)
	appendBatches(t, l, 40, 5)
	done := make(chan struct{})
	go func() {
		defer close(done)
		appendN(t, l, 300)
	}()
	const upto = 150
	if err := l.DropBefore(upto); err != nil {
		t.Fatal(err)
	}
	<-done
	first := l.FirstLSN()
	if first <= 1 || first > upto+1 {
		t.Fatalf("FirstLSN = %d after DropBefore(%d)", first, upto)
	}
	segs := segmentsOf(t, dir)
	if segs[0].first != first {
		t.Fatalf("first segment starts at %d, FirstLSN %d", segs[0].first, first)
	}
	if len(segs) > 1 && segs[1].first-1 <= upto {
		t.Fatalf("segment %d holds only records <= %d and was kept", segs[0].first, upto)
	}
	if err := l.Wait(500); err != nil {
		t.Fatal(err)
	}
	closeLog(t, l)

	l = openLog(t, dir, EverySec, 512)
	defer closeLog(t, l)
	if l.FirstLSN() != first || l.LastLSN() != 500 {
		t.Fatalf("reopened: first %d last %d, want %d 500", l.FirstLSN(), l.LastLSN(), first)
	}
	replayCheck(t, l, upto, 500)
}
