package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	tidwall "github.com/tidwall/wal"
)

// ErrClosed is returned by calls on a closed log.
var ErrClosed = errors.New("wal: log closed")

// DefaultSegmentSize is much smaller than tidwall/wal's 20 MB because
// tidwall/wal keeps the tail segment in memory (measured: 8 MB segments cost
// 16 MB more RSS than 2 MB ones), and TruncateFront rewrites the segment it
// cuts into. A roll costs one fsync, which is cheap at this size.
const DefaultSegmentSize = 2 << 20

// Options configure Open.
type Options struct {
	Dir         string // directory of the log segments (created if missing)
	Fsync       Policy
	SegmentSize int          // 0 = DefaultSegmentSize
	Logger      *slog.Logger // nil = slog.Default()
	// Covered is the LSN of the snapshot recovery starts from: a damaged
	// record at or below it is not needed, so it does not stop Open or
	// Replay (they warn and pass over it).
	Covered uint64
	// Repair cuts the log at the first damaged record after Covered
	// instead of refusing to open, keeping .broken copies of what it cuts.
	Repair bool
}

// Log is an open write-ahead log. Append and Wait are safe for concurrent use;
// all file writes happen on the committer goroutine.
type Log struct {
	dir         string
	policy      atomic.Int32 // a Policy; SetPolicy changes it while running
	logger      *slog.Logger
	segmentSize int // tidwall/wal's effective segment size

	mu     sync.Mutex // held briefly by Append
	queue  []pending  // records waiting for the committer
	last   uint64     // last assigned LSN
	closed bool

	lastLSN  atomic.Uint64 // copy of last for lock-free readers
	firstLSN atomic.Uint64 // tidwall/wal's FirstIndex: last+1 when the log is empty
	failure  atomic.Pointer[failure]
	syncs    atomic.Int64 // fsyncs of the tail segment, for tests

	pubMu     sync.Mutex
	pubCond   *sync.Cond    // broadcast when published, failure or stopped change
	published atomic.Uint64 // highest LSN Wait returns for at once
	stopped   bool          // committer gone; guarded by pubMu

	committer
	bg bgSyncer
}

// pending is one queued record. buf holds the LSN (8 bytes big-endian), then
// the tidwall entry data: type, CRC (filled in by the committer), body. Slots
// keep their buf between rounds so that Append rarely allocates.
type pending struct {
	lsn uint64
	buf []byte
}

type failure struct{ err error }

// Open opens or creates the log in opts.Dir, repairing a torn tail (and with
// opts.Repair, damage), and starts the committer.
func Open(opts Options) (*Log, error) {
	if opts.Fsync < Always || opts.Fsync > No {
		return nil, fmt.Errorf("wal: open: invalid fsync policy %d", int(opts.Fsync))
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	segmentSize := opts.SegmentSize
	if segmentSize <= 0 {
		segmentSize = DefaultSegmentSize
	}
	if err := makeDir(opts.Dir); err != nil {
		return nil, err
	}
	if opts.Repair {
		if err := repairDamage(opts.Dir, opts.Covered, logger); err != nil {
			return nil, err
		}
	}
	wl, err := openRepaired(opts.Dir, segmentSize, opts.Covered, logger)
	if err != nil {
		return nil, err
	}
	l := &Log{dir: opts.Dir, logger: logger, segmentSize: segmentSize}
	l.policy.Store(int32(opts.Fsync))
	l.pubCond = sync.NewCond(&l.pubMu)
	if err := l.start(wl); err != nil {
		_ = wl.Close() // already failing with err
		return nil, err
	}
	return l, nil
}

// start adopts an open tidwall log: what is on disk becomes durable (one fsync
// makes that true even after an unsynced shutdown) and the committer starts.
func (l *Log) start(wl *tidwall.Log) error {
	first, err := wl.FirstIndex()
	if err != nil {
		return fmt.Errorf("wal: open %s: %w", l.dir, err)
	}
	last, err := wl.LastIndex()
	if err != nil {
		return fmt.Errorf("wal: open %s: %w", l.dir, err)
	}
	if err := wl.Sync(); err != nil {
		return fmt.Errorf("wal: open %s: fsync: %w", l.dir, err)
	}
	if err := syncDir(l.dir); err != nil {
		return err
	}
	if err := l.adopt(wl); err != nil {
		return err
	}
	l.last = last
	l.lastLSN.Store(last)
	l.firstLSN.Store(first)
	l.published.Store(last)
	l.written = last
	l.syncFile = func() error { return l.wl.Sync() }
	l.kick = make(chan struct{}, 1)
	l.reqs = make(chan request)
	l.stop = make(chan struct{})
	l.done = make(chan struct{})
	l.bg = newBgSyncer()
	go l.run()
	go l.bgSyncLoop()
	return nil
}

// Append copies body into the queue under the next LSN and returns that LSN.
// It makes no syscall and does not wait; see Wait.
func (l *Log) Append(typ byte, body []byte) (uint64, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, ErrClosed
	}
	if f := l.failure.Load(); f != nil {
		l.mu.Unlock()
		return 0, f.err
	}
	lsn := l.last + 1
	n := len(l.queue)
	if n < cap(l.queue) {
		l.queue = l.queue[:n+1]
	} else {
		l.queue = append(l.queue, pending{})
	}
	p := &l.queue[n]
	p.lsn = lsn
	b := binary.BigEndian.AppendUint64(p.buf[:0], lsn)
	b = append(b, typ, 0, 0, 0, 0)
	p.buf = append(b, body...)
	l.last = lsn
	l.lastLSN.Store(lsn)
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default: // a kick is already pending; the committer will take this record too
	}
	return lsn, nil
}

// Wait blocks until every record <= lsn is written (EverySec, No) or written
// and fsynced (Always). Once the log has failed it returns that error.
func (l *Log) Wait(lsn uint64) error {
	if l.published.Load() >= lsn && l.failure.Load() == nil {
		return nil
	}
	if last := l.lastLSN.Load(); lsn > last {
		return fmt.Errorf("wal: wait for LSN %d beyond last assigned %d", lsn, last)
	}
	l.pubMu.Lock()
	defer l.pubMu.Unlock()
	for {
		if f := l.failure.Load(); f != nil {
			return f.err
		}
		if l.published.Load() >= lsn {
			return nil
		}
		if l.stopped {
			return ErrClosed
		}
		l.pubCond.Wait()
	}
}

// LastLSN is the last assigned LSN.
func (l *Log) LastLSN() uint64 { return l.lastLSN.Load() }

// FirstLSN is the first LSN still in the log, 0 if it is empty.
func (l *Log) FirstLSN() uint64 {
	if first := l.firstLSN.Load(); first <= l.lastLSN.Load() {
		return first
	}
	return 0
}

// Durable is the highest LSN that Wait returns for at once.
func (l *Log) Durable() uint64 { return l.published.Load() }

// Size is the total size of the segment files on disk.
func (l *Log) Size() int64 {
	segs, err := listSegments(l.dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, s := range segs {
		n += s.size
	}
	return n
}

// Policy is the fsync policy in force.
func (l *Log) Policy() Policy { return Policy(l.policy.Load()) }

// SetPolicy changes the fsync policy (CONFIG SET appendfsync). Switching to
// Always first fsyncs what was written under the old policy, so every
// record is durable once a later Wait returns.
func (l *Log) SetPolicy(p Policy) error {
	if p < Always || p > No {
		return fmt.Errorf("wal: invalid fsync policy %d", int(p))
	}
	return l.do(func() error {
		l.policy.Store(int32(p))
		if p != Always {
			return nil
		}
		if err := l.commit(); err != nil {
			return err
		}
		return l.sync()
	})
}

// Sync writes every queued record and fsyncs now, whatever the policy.
func (l *Log) Sync() error {
	return l.do(func() error {
		if err := l.commit(); err != nil {
			return err
		}
		return l.sync()
	})
}

// Close writes and fsyncs everything queued, stops the committer and closes
// the files. Waiters for records that never became durable get an error.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	<-l.done
	<-l.bg.done
	err := l.drainErr
	if cerr := l.wl.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("wal: close %s: %w", l.dir, cerr)
	}
	if derr := syncDir(l.dir); err == nil {
		err = derr
	}
	l.pubMu.Lock()
	l.stopped = true
	l.pubCond.Broadcast()
	l.pubMu.Unlock()
	return err
}
