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
	wl       *tidwall.Log
	batch    tidwall.Batch
	free     []pending    // the queue slice swapped out last round, for reuse
	written  uint64       // last LSN handed to tidwall/wal
	tail     int          // bytes in the tail segment, to see segment rolls
	dirty    bool         // written since the last fsync
	syncFile func() error // fsyncs the tail segment; tests wrap it
	drainErr error        // result of the final drain, read by Close

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
	// EverySec; it starts the background fsync only under EverySec.
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
			if l.Policy() == EverySec {
				l.startBgSync()
			}
		case r := <-l.reqs:
			r.done <- r.fn()
		case <-l.stop:
			if err := l.commit(); err != nil {
				l.drainErr = err
			} else {
				l.drainErr = l.sync()
			}
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
// commit.
func (l *Log) commit() error {
	l.mu.Lock()
	batch := l.queue
	l.queue = l.free[:0]
	l.mu.Unlock()
	defer l.recycle(batch)
	if f := l.failure.Load(); f != nil {
		return f.err
	}
	if len(batch) == 0 {
		return nil
	}
	// Mirror tidwall/wal's writeBatch roll rule to learn whether it created
	// a segment file, whose directory entry then needs an fsync.
	rolled := l.tail > l.segmentSize
	if rolled {
		l.tail = 0
	}
	for i := range batch {
		p := &batch[i]
		binary.BigEndian.PutUint32(p.buf[lsnLen+1:], checksum(p.buf[:lsnLen+1], p.buf[lsnLen+headerLen:]))
		entry := p.buf[lsnLen:]
		l.batch.Write(p.lsn, entry)
		l.tail += frameLen(len(entry))
		if l.tail >= l.segmentSize {
			rolled = true
			l.tail = 0
		}
	}
	first, last := batch[0].lsn, batch[len(batch)-1].lsn
	if err := l.wl.WriteBatch(&l.batch); err != nil {
		l.batch.Clear()
		return l.fail(fmt.Errorf("wal: write LSN %d-%d: %w", first, last, err))
	}
	l.written = last
	l.dirty = true
	if rolled {
		if err := syncDir(l.dir); err != nil {
			return l.fail(err)
		}
		// tidwall/wal caches the segments it closes; nothing reads them
		// through it (Replay reads the files), so free that memory.
		if err := l.wl.ClearCache(); err != nil {
			return l.fail(fmt.Errorf("wal: clear segment cache: %w", err))
		}
	}
	if l.Policy() == Always {
		if err := l.sync(); err != nil {
			return err
		}
	}
	l.publish(last)
	return nil
}

// recycle keeps the swapped-out queue for the next round, dropping big buffers.
func (l *Log) recycle(batch []pending) {
	for i := range batch {
		if cap(batch[i].buf) > maxPooled {
			batch[i].buf = nil
		}
	}
	l.free = batch[:0]
}

// sync fsyncs the tail segment if anything was written since the last fsync.
// Rolled segments were fsynced by tidwall/wal when it closed them.
func (l *Log) sync() error {
	if f := l.failure.Load(); f != nil {
		return f.err
	}
	if !l.dirty {
		return nil
	}
	l.syncs.Add(1)
	start := time.Now()
	if err := l.syncFile(); err != nil {
		return l.fail(fmt.Errorf("wal: fsync %s: %w", l.dir, err))
	}
	if took := time.Since(start); took > slowSync {
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

// fail latches err: from now on Append and Wait return it. It returns the
// first latched error.
func (l *Log) fail(err error) error {
	if l.failure.CompareAndSwap(nil, &failure{err: err}) {
		l.logger.Error("wal: log failed, refusing further writes", "dir", l.dir, "err", err)
	}
	l.pubMu.Lock()
	l.pubCond.Broadcast()
	l.pubMu.Unlock()
	return l.failure.Load().err
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
