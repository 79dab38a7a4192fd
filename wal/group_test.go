package wal

import (
	"sync"
	"testing"
	"time"
)

// TestGroupCommit: 50 clients share fsyncs. The fsync is slowed down so the
// test does not depend on how fast the disk is.
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	l := openFaulty(t, dir, Always, 0, &Faults{Sync: func(fsync func() error) error {
		time.Sleep(time.Millisecond)
		return fsync()
	}})
	const clients, each = 50, 40
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				lsn, err := l.Append(byte(c), []byte{byte(c), byte(i)})
				if err != nil {
					t.Error(err)
					return
				}
				if err := l.Wait(lsn); err != nil {
					t.Error(err)
					return
				}
				if d := l.Durable(); d < lsn {
					t.Errorf("Durable %d < waited LSN %d", d, lsn)
				}
			}
		})
	}
	wg.Wait()
	const records = clients * each
	if n := l.syncs.Load(); n == 0 || n > records/10 {
		t.Errorf("%d fsyncs for %d records", n, records)
	}
	closeLog(t, l)

	l = openLog(t, dir, Always, 0)
	defer closeLog(t, l)
	next := map[byte]byte{}
	count := 0
	err := l.Replay(0, func(r Record) error {
		c := r.Type
		if r.Body[0] != c || r.Body[1] != next[c] {
			t.Errorf("LSN %d: client %d record %d, want %d", r.LSN, c, r.Body[1], next[c])
		}
		next[c]++
		count++
		return nil
	})
	if err != nil || count != records {
		t.Fatalf("Replay: %d records, %v", count, err)
	}
}
