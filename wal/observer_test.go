package wal

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"
)

type countingObserver struct {
	mu              sync.Mutex
	fsyncs, batches int
	records, bytes  int
}

func (o *countingObserver) Fsync(time.Duration) {
	o.mu.Lock()
	o.fsyncs++
	o.mu.Unlock()
}

func (o *countingObserver) Batch(records, bytes int) {
	o.mu.Lock()
	o.batches++
	o.records += records
	o.bytes += bytes
	o.mu.Unlock()
}

// The observer sees every record in some batch, and the fsyncs Always makes.
func TestObserver(t *testing.T) {
	obs := &countingObserver{}
	l, err := Open(Options{Dir: t.TempDir(), Fsync: Always, Logger: quiet, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	appendN(t, l, 10)
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.records != 10 || obs.batches < 1 || obs.batches > 10 || obs.fsyncs < obs.batches {
		t.Fatalf("observed %+v", obs)
	}
	// The bytes written for each record: its length, type, CRC and body.
	want := 0
	for lsn := uint64(1); lsn <= 10; lsn++ {
		n := headerLen + len(testBody(lsn))
		want += len(binary.AppendUvarint(nil, uint64(n))) + n
	}
	if obs.bytes != want {
		t.Fatalf("observed %d bytes, want %d", obs.bytes, want)
	}
}
