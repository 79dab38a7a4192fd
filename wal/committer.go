package wal

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"time"

	tidwall "github.com/tidwall/wal"
)

// committer is the state owned by the committer goroutine (and by Open before
// it starts and Close after it ends).
type committer struct {
	wl    *tidwall.Log
	batch tidwall.Batch
	// held are the records taken from the queue and not yet published, in
	// LSN order. Normally a round empties it; after a failure it keeps them
	// (and takes more) until a recovery writes them. Its slots keep their
	// buffers for the queue to reuse.
	held       []pending
	written    uint64       // last LSN handed to tidwall/wal
	tail       int          // bytes in the tail segment, to see segment rolls
	dirty      bool         // written since the last fsync
	broken     bool         // wl failed a write or fsync; a recovery reopens it
	writeBatch func() error // l.wl.WriteBatch(&l.batch), bound once
	syncTail   func() error // l.wl.Sync(), bound once
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

// maxPooled caps the buffer a queue slot keeps between rounds.
const maxPooled = 64 << 10

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

// commit writes everything queued as one tidwall/wal batch (one write call),
// fsyncs under Always, then publishes the new durable LSN. Appends that arrive
// meanwhile, notably during the fsync, form the next batch: that is the group
// commit. While the log is failing it leaves the queue alone.
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
	l.recycle()
	return nil
}

func (l *Log) writeHeld() error {
	if len(l.held) == 0 {
		return nil
	}
	// Mirror tidwall/wal's writeBatch roll rule to learn whether it created
	// a segment file, whose directory entry then needs an fsync.
	rolled := l.tail > l.segmentSize
	if rolled {
		l.tail = 0
	}
	size := 0
	for i := range l.held {
		p := &l.held[i]
		size += len(p.buf) - lsnLen
		binary.BigEndian.PutUint32(p.buf[lsnLen+1:], checksum(p.buf[:lsnLen+1], p.buf[lsnLen+headerLen:]))
		entry := p.buf[lsnLen:]
		l.batch.Write(p.lsn, entry)
		l.tail += frameLen(len(entry))
		if l.tail >= l.segmentSize {
			rolled = true
			l.tail = 0
		}
	}
	first, last := l.held[0].lsn, l.held[len(l.held)-1].lsn
	if err := l.faults.write(l.writeBatch); err != nil {
		l.batch.Clear()
		l.broken = true
		err = fmt.Errorf("wal: write LSN %d-%d: %w", first, last, err)
		if isFsync(err) {
			err = &fsyncError{err}
		}
		return err
	}
	l.written = last
	l.dirty = true
	if l.observer != nil {
		l.observer.Batch(len(l.held), size)
	}
	if rolled {
		if err := syncDir(l.dir); err != nil {
			l.broken = true
			return &fsyncError{err}
		}
		// tidwall/wal caches the segments it closes; nothing reads them
		// through it (Replay reads the files), so free that memory.
		if err := l.wl.ClearCache(); err != nil {
			l.broken = true
			return fmt.Errorf("wal: clear segment cache: %w", err)
		}
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
}

// sync fsyncs the tail segment if anything was written since the last fsync.
// Rolled segments were fsynced by tidwall/wal when it closed them.
func (l *Log) sync() error {
	if !l.dirty {
		return nil
	}
	l.syncs.Add(1)
	start := time.Now()
	err := l.faults.sync(l.syncTail)
	took := time.Since(start)
	if l.observer != nil {
		l.observer.Fsync(took)
	}
	if err != nil {
		l.broken = true
		return &fsyncError{fmt.Errorf("wal: fsync %s: %w", l.dir, err)}
	}
	if took > slowSync {
		l.logger.Warn("wal: slow fsync", "dir", l.dir, "took", took)
	}
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
	for {
		old := l.failure.Load()
		f := &failure{err: err, sync: isFsync(err), since: time.Now()}
		if old != nil {
			f.sync = f.sync || old.sync
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

// adopt makes wl the log the committer writes to and measures its tail segment.
func (l *Log) adopt(wl *tidwall.Log) error {
	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	l.wl = wl
	l.tail = 0
	if len(segs) > 0 {
		l.tail = int(segs[len(segs)-1].size)
	}
	return nil
}
