package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"time"
)

// committer is the state owned by the committer goroutine (and by Open before
// it starts and Close after it ends).
type committer struct {
	tail  *segment
	batch []byte // the frames of the batch being written; reused
	// held are the records taken from the queue and not yet published, in
	// LSN order. Normally a round empties it; after a failure it keeps them
	// (and takes more) until a recovery writes them. Its slots keep their
	// buffers for the queue to reuse.
	held       []pending
	written    uint64       // last LSN written to the tail
	synced     uint64       // last LSN the committer's own fsyncs cover
	dirty      bool         // the tail was written since its last fsync started
	writeTail  func() error // l.tail.write(l.batch), bound once
	async      *asyncSync   // how sync fsyncs the tail without blocking a thread; nil: plainly
	asyncTried bool         // async was set up, or could not be
	drainErr   error        // result of the final drain, read by Close

	kick chan struct{} // Append's nudge, capacity 1
	reqs chan request  // work that must run on the committer
	stop chan struct{} // closed by Close
	done chan struct{} // closed when the committer has returned
}

type request struct {
	fn   func() error
	done chan error
}

// slowSync is the fsync duration worth a warning (etcd uses the same).
const slowSync = time.Second

// maxPooled caps the buffer a queue slot keeps between rounds, and
// maxBatch the batch buffer.
const (
	maxPooled = 64 << 10
	maxBatch  = 1 << 20
)

func (l *Log) run() {
	defer close(l.done)
	// The ticker runs under every policy since SetPolicy may switch to
	// EverySec; it starts the background fsync only under EverySec. While
	// the log is failing it paces the recovery attempts instead.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-l.kick:
			// Let every connection that is ready run and append before
			// taking the queue: one write then carries many clients'
			// records, which matters most with few CPUs.
			runtime.Gosched()
			_ = l.commit() // failures are latched and reported to waiters
		case <-tick.C:
			switch {
			case l.failure.Load() != nil:
				_ = l.recover() // still failing: the next tick tries again
			case l.Policy() == EverySec:
				l.startBgSync()
			}
		case r := <-l.reqs:
			r.done <- r.fn()
		case <-l.stop:
			l.drainErr = l.drain()
			return
		}
	}
}

// do runs fn on the committer and returns its result.
func (l *Log) do(fn func() error) error {
	r := request{fn: fn, done: make(chan error, 1)}
	select {
	case l.reqs <- r:
		return <-r.done
	case <-l.done:
		return ErrClosed
	}
}

// commit writes everything queued with one write call, fsyncs under
// Always, then publishes the new durable LSN. Appends that arrive meanwhile,
// notably during the fsync, form the next batch: that is the group commit.
// While the log is failing it leaves the queue alone.
func (l *Log) commit() error {
	if f := l.failure.Load(); f != nil {
		return f.err
	}
	l.take()
	if len(l.held) == 0 {
		return nil
	}
	if err := l.flush(); err != nil {
		return l.fail(err)
	}
	return nil
}

// take moves the queued records behind the held ones. Normally held is
// empty and the two slices swap, so that no buffer is copied or allocated.
func (l *Log) take() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.held) == 0 {
		l.held, l.queue = l.queue, l.held[:0]
		return
	}
	l.held = append(l.held, l.queue...)
	clear(l.queue) // held owns those buffers now
	l.queue = l.queue[:0]
}

// flush writes the held records, fsyncs under Always and publishes them.
// It latches nothing: its callers decide what a failure means.
func (l *Log) flush() error {
	if err := l.writeHeld(); err != nil {
		return err
	}
	if l.Policy() == Always {
		if err := l.sync(); err != nil {
			return err
		}
	}
	l.publish(l.written)
	l.tail.acked = l.tail.size
	l.recycle()
	return nil
}

// writeHeld frames the held records into the batch buffer and writes it to
// the tail in one write, rolling to a new segment first if the tail is full.
func (l *Log) writeHeld() error {
	if len(l.held) == 0 {
		return nil
	}
	l.batch = l.batch[:0]
	for i := range l.held {
		p := &l.held[i]
		binary.BigEndian.PutUint32(p.buf[lsnLen+1:], checksum(p.buf[:lsnLen+1], p.buf[lsnLen+headerLen:]))
		entry := p.buf[lsnLen:]
		l.batch = binary.AppendUvarint(l.batch, uint64(len(entry)))
		l.batch = append(l.batch, entry...)
	}
	if l.tail.size >= int64(l.segmentSize) {
		if err := l.roll(); err != nil {
			return err
		}
	}
	if err := l.faults.write(l.writeTail); err != nil {
		return fmt.Errorf("wal: write LSN %d-%d to %s: %w", l.held[0].lsn, l.held[len(l.held)-1].lsn, l.tail.path, err)
	}
	l.tail.size += int64(len(l.batch))
	l.written = l.held[len(l.held)-1].lsn
	l.dirty = true
	l.presync()
	if l.observer != nil {
		l.observer.Batch(len(l.held), len(l.batch))
	}
	return nil
}

// roll starts a new tail segment named after the next LSN. The old tail is
// fsynced, unless the committer's fsyncs already cover it, and closed, and
// the directory is fsynced for the new name, all before the batch is
// written: a write that fails then never leaves a roll half done. Only the
// tail is ever written to, so every other segment is on disk in full.
func (l *Log) roll() error {
	next, err := createSegment(l.dir, l.written+1)
	if err != nil {
		return err
	}
	old := l.tail
	l.tail, l.dirty = next, false
	if l.synced < l.written {
		err = l.fsync(old.f, old.path)
	}
	l.close(old)
	if err != nil {
		// under Always the committer's fsyncs cover the old tail, so
		// this one covered published records
		return &fsyncError{err: fmt.Errorf("wal: fsync %s: %w", old.path, err), resync: true}
	}
	l.synced = l.written
	if err := syncDir(l.dir); err != nil {
		return &fsyncError{err: err, resync: true}
	}
	return nil
}

// recycle empties held once its records are published, dropping big buffers.
func (l *Log) recycle() {
	for i := range l.held {
		if cap(l.held[i].buf) > maxPooled {
			l.held[i].buf = nil
		}
	}
	l.held = l.held[:0]
	if cap(l.batch) > maxBatch {
		l.batch = nil
	}
}

// sync fsyncs the tail if anything was written since the committer's last
// fsync. Segments before the tail were fsynced when it rolled past them.
// If it fails, the records in the tail not yet published are never fsynced
// on that file again; whether any published record depended on it decides
// the rest of the recovery (recover.go).
func (l *Log) sync() error {
	if l.synced == l.written {
		return nil
	}
	l.syncs.Add(1)
	if err := l.fsyncTail(); err != nil {
		published := l.published.Load()
		l.tail.failed = l.tail.failed || l.written > published
		return &fsyncError{err: fmt.Errorf("wal: fsync %s: %w", l.tail.path, err), resync: published > l.synced}
	}
	l.synced = l.written
	l.dirty = false
	return nil
}

// publish makes Wait return for every LSN <= lsn.
func (l *Log) publish(lsn uint64) {
	l.pubMu.Lock()
	l.published.Store(lsn)
	l.pubCond.Broadcast()
	l.pubMu.Unlock()
}

// fail latches err: from now on Err returns it and the committer writes
// nothing until a recovery succeeds. Only the first failure is logged; the
// recovery logs when writes resume. It returns err.
func (l *Log) fail(err error) error {
	var fe *fsyncError
	resync := errors.As(err, &fe) && fe.resync
	for {
		old := l.failure.Load()
		f := &failure{err: err, resync: resync, since: time.Now()}
		if old != nil {
			f.resync = f.resync || old.resync
			f.since = old.since
		}
		if !l.failure.CompareAndSwap(old, f) {
			continue // the background fsync failed at the same moment
		}
		if old == nil {
			l.logger.Error("wal: WRITE-AHEAD LOG FAILED: refusing writes until the disk takes them again (retrying every second)",
				"dir", l.dir, "err", err, "appendfsync", l.Policy().String(),
				"acknowledged_through_lsn", l.published.Load())
		}
		break
	}
	l.pubMu.Lock()
	l.pubCond.Broadcast()
	l.pubMu.Unlock()
	return err
}
