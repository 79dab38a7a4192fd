package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by calls on a closed log.
var ErrClosed = errors.New("wal: log closed")

// DefaultSegmentSize is where the tail rolls. The log drops whole segments
// behind a snapshot, so up to one segment of records the snapshot covers
// stays and is read again at start; a roll costs an fsync of the old
// segment (under everysec and no) and one of the directory, with every
// reply waiting: 1-3 ms on a busy disk, which at 2 MB segments came
// every half second at 20k msgs/s and made the XADD->XACK p99.
const DefaultSegmentSize = 8 << 20

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
	Faults *Faults // nil in production; see Faults
	// Observer, when set, is told of every fsync and every batch written,
	// for metrics.
	Observer Observer
}

// Observer watches the log's writes. Its methods run on the goroutines
// that write and fsync, so they must be quick and never block.
type Observer interface {
	// Fsync is called after each fsync of a segment file, failed or not.
	Fsync(took time.Duration)
	// Batch is called after each batch of records reached the file (one
	// write call: the group commit), with how many and their bytes.
	Batch(records, bytes int)
}

// Log is an open write-ahead log. Append and Wait are safe for concurrent use;
// all file writes happen on the committer goroutine.
type Log struct {
	dir         string
	policy      atomic.Int32 // a Policy; SetPolicy changes it while running
	logger      *slog.Logger
	segmentSize int // the tail rolls once it holds this many bytes
	covered     uint64
	faults      *Faults
	observer    Observer // nil: nobody watches

	mu     sync.Mutex // held briefly by Append
	queue  []pending  // records waiting for the committer
	last   uint64     // last assigned LSN
	closed bool

	lastLSN  atomic.Uint64 // copy of last for lock-free readers
	firstLSN atomic.Uint64 // first LSN of the first segment: last+1 when the log is empty
	failure  atomic.Pointer[failure]
	syncs    atomic.Int64 // fsyncs of the tail segment, for tests
	// files is held while segment files are removed, or fsynced by name:
	// by DropBefore, by a restart of the numbering and by a recovery.
	files sync.Mutex
	dead  chan struct{} // closed when the log can no longer recover

	pubMu     sync.Mutex
	pubCond   *sync.Cond    // broadcast when published, failure, quitting or stopped change
	published atomic.Uint64 // highest LSN Wait returns for at once
	quitting  bool          // Shutdown was called; guarded by pubMu
	stopped   bool          // committer gone; guarded by pubMu

	committer
	bg bgSyncer
}

// pending is one queued record. buf holds the LSN (8 bytes big-endian), then
// the record as it goes in its frame: type, CRC (filled in by the
// committer), body. Slots keep their buf between rounds so that Append
// rarely allocates.
type pending struct {
	lsn uint64
	buf []byte
}

// failure is why the log stopped taking writes. resync stays set until the
// log recovers once an fsync failed that covered published records, since
// that decides how it recovers (recover.go).
type failure struct {
	err    error
	resync bool
	since  time.Time
}

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
	if err := finishTidwallTruncate(opts.Dir, logger); err != nil {
		return nil, err
	}
	if err := removeTemps(opts.Dir); err != nil {
		return nil, err
	}
	if opts.Repair {
		if err := repairDamage(opts.Dir, opts.Covered, logger); err != nil {
			return nil, err
		}
	}
	tail, first, last, err := openRepaired(opts.Dir, opts.Covered, logger)
	if err != nil {
		return nil, err
	}
	l := &Log{dir: opts.Dir, logger: logger, segmentSize: segmentSize, covered: opts.Covered,
		faults: opts.Faults, observer: opts.Observer, dead: make(chan struct{})}
	l.policy.Store(int32(opts.Fsync))
	l.pubCond = sync.NewCond(&l.pubMu)
	if err := l.start(tail, first, last); err != nil {
		return nil, err
	}
	return l, nil
}

// start opens the tail segment to append to it, makes what is on disk
// durable (a process that died before its fsync may have left writes in
// the page cache only) and starts the committer.
func (l *Log) start(seg segmentFile, first, last uint64) error {
	tail, err := openSegment(seg)
	if err != nil {
		return err
	}
	if err := l.fsync(tail.f, tail.path); err != nil {
		l.close(tail)
		return fmt.Errorf("wal: open %s: fsync: %w", seg.path, err)
	}
	if err := syncDir(l.dir); err != nil {
		l.close(tail)
		return err
	}
	l.tail = tail
	l.last = last
	l.lastLSN.Store(last)
	l.firstLSN.Store(first)
	l.published.Store(last)
	l.written = last
	l.synced = last
	l.writeTail = func() error { return l.tail.write(l.batch) }
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
// It makes no syscall and does not wait; see Wait. It fails only once the
// log is closed: while the log is failing, records are held in memory until
// a recovery writes them, so that a change already applied is never lost
// from the log while the process lives. The caller refuses new writes
// meanwhile (see Err).
func (l *Log) Append(typ byte, body []byte) (uint64, error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return 0, ErrClosed
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
		if err := l.sync(); err != nil {
			return l.fail(err)
		}
		return nil
	})
}

// Sync writes every queued record and fsyncs now, whatever the policy.
func (l *Log) Sync() error {
	return l.do(func() error {
		if err := l.commit(); err != nil {
			return err
		}
		if err := l.sync(); err != nil {
			return l.fail(err)
		}
		return nil
	})
}

// Err is why the log is refusing writes, nil while it takes them. Callers
// check it before applying a change: while it is set, Append still takes
// records (nothing applied may go unlogged) but none is written until the
// committer recovers, which it retries every second.
func (l *Log) Err() error {
	if f := l.failure.Load(); f != nil {
		return f.err
	}
	return nil
}

// Dead is closed when the log cannot recover: records it had acknowledged
// are gone from the disk. Err says why; the process should stop.
func (l *Log) Dead() <-chan struct{} { return l.dead }

// Close writes and fsyncs everything queued, stops the committer and closes
// the files. A failed log gets one last recovery attempt; if that fails too,
// the error says how many records were never written. Waiters for records
// that never became durable get an error.
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
	if l.async != nil {
		l.async.release()
	}
	err := l.drainErr
	if cerr := l.tail.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("wal: close %s: %w", l.tail.path, cerr)
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
