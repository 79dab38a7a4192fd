package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"sluice/blockstore"
	"sluice/kernel"
	"sluice/snapshot"
	"sluice/wal"
)

// Defaults for Config's snapshot triggers.
const (
	DefaultSnapshotInterval     = 5 * time.Minute
	DefaultSnapshotAfterChanges = 100000
	// retryDelay spaces attempts after a failed snapshot (Redis waits 5 s
	// before retrying a failed BGSAVE).
	retryDelay = 5 * time.Second
)

// snapshotter writes snapshots and truncates the log behind them. Its
// goroutine, owned by the Broker, runs the periodic and BGSAVE snapshots;
// SAVE and Close write on the caller's goroutine. mu makes them take turns.
type snapshotter struct {
	dir      string
	eng      *kernel.Engine
	wal      *wal.Log
	log      *slog.Logger
	interval time.Duration
	after    int64

	mu sync.Mutex // held for a whole snapshot
	// newest is the LSN of the newest snapshot on disk and prev of the one
	// before it; the log is kept back to prev, so that if newest turns out
	// damaged at the next start, prev plus the log still recover everything.
	newest, prev uint64
	lastTry      time.Time
	// The block files each of them references, and the pin of newest's
	// capture (see blockstore.Store.Sweep); prevKnown is false while prev
	// is a snapshot of an earlier run, whose references were not read.
	blocks               *blockstore.Store
	newestRefs, prevRefs snapshot.Refs
	prevKnown            bool
	pin                  uint32

	running   atomic.Bool // a background snapshot is under way
	scheduled atomic.Bool // BGSAVE SCHEDULE: run another one after it
	failed    atomic.Bool // the last snapshot failed
	lastSave  atomic.Int64
	lastSize  atomic.Int64
	// keptLog is the log's size right after the last snapshot's
	// truncation, which keeps the records since the snapshot before it:
	// growth is measured from there.
	keptLog  atomic.Int64
	lastLSN  atomic.Uint64
	lastTook atomic.Int64 // ns the last snapshot written took, 0 before one

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

func newSnapshotter(dir string, eng *kernel.Engine, l *wal.Log, blocks *blockstore.Store, logger *slog.Logger, cfg Config,
	rec *recovered) *snapshotter {
	s := &snapshotter{dir: dir, eng: eng, wal: l, log: logger, interval: cfg.SnapshotInterval, after: cfg.SnapshotAfterChanges,
		newest: rec.newest, prev: rec.prev, lastTry: time.Now(),
		blocks: blocks, newestRefs: rec.refs, prevKnown: rec.prev == 0,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	if s.interval == 0 {
		s.interval = DefaultSnapshotInterval
	}
	if s.after == 0 {
		s.after = DefaultSnapshotAfterChanges
	}
	s.lastSave.Store(time.Now().Unix())
	s.lastSize.Store(rec.size)
	s.lastLSN.Store(rec.newest)
	return s
}

// run is the background loop; it returns when Close calls halt.
func (s *snapshotter) run() {
	defer close(s.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			s.background()
		case <-t.C:
			if s.due() && s.running.CompareAndSwap(false, true) {
				s.background()
			}
		}
	}
}

// due reports whether a periodic snapshot should start: some change and the
// interval passed, or many changes and a log logGrowth times as large as
// the last snapshot (Redis's auto-aof-rewrite-percentage, at 700), so
// snapshots of a large keyspace stay rare enough to cost little.
func (s *snapshotter) due() bool {
	dirty := s.eng.Dirty()
	s.mu.Lock()
	since := time.Since(s.lastTry)
	s.mu.Unlock()
	switch {
	case dirty == 0 || s.wal.Err() != nil:
		// nothing changed, or the log is failing: a snapshot could not
		// commit, since it must never be ahead of its log
		return false
	case s.failed.Load() && since < retryDelay:
		return false
	case s.interval > 0 && since >= s.interval:
		return true
	}
	return s.after > 0 && dirty >= s.after && s.wal.Size()-s.keptLog.Load() >= logGrowth*s.lastSize.Load()
}

// logGrowth is how many times the last snapshot's size the log grows
// before the next snapshot. A snapshot's cost follows its size, which for
// a long stream is mostly its block index (about 20 bytes and 100 ns per
// cold block of 4 KB of entries), and the log's follows the writes in it
// (about 2 µs per XADD of 130 bytes): at 8, snapshots of a stream of any
// length take about 5% of what the XADDs take.
const logGrowth = 8

// background takes a snapshot with running set, then any scheduled one.
func (s *snapshotter) background() {
	for {
		s.running.Store(true)
		st, covered, err := s.eng.Capture()
		if err == nil {
			err = s.save(st)
		}
		if err == nil {
			s.eng.Saved(covered)
			s.compact()
		} else {
			s.log.Error("background snapshot failed", "err", err)
		}
		s.running.Store(false)
		if !s.scheduled.Swap(false) || !s.running.CompareAndSwap(false, true) {
			return
		}
	}
}

// Save implements kernel.Saver for SAVE (called under the engine lock).
func (s *snapshotter) Save(st *snapshot.State) error {
	if s.running.Load() {
		return kernel.ErrSaveInProgress
	}
	return s.save(st)
}

// Background implements kernel.Saver for BGSAVE.
func (s *snapshotter) Background(schedule bool) (bool, error) {
	if !s.running.CompareAndSwap(false, true) {
		if schedule {
			s.scheduled.Store(true)
			return true, nil
		}
		return false, kernel.ErrSaveInProgress
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return false, nil
}

// LastSave implements kernel.Saver for LASTSAVE.
func (s *snapshotter) LastSave() int64 { return s.lastSave.Load() }

// save writes st and makes it the newest snapshot: write and fsync a
// temporary file, wait until the log holds st.LSN durably (a snapshot must
// never be ahead of its log; a failing log fails the snapshot at once, as
// SAVE waits under the engine lock), rename, read it back, then drop what
// is no longer needed for recovery.
func (s *snapshotter) save(st *snapshot.State) error {
	if !s.mu.TryLock() {
		// SAVE under the engine lock while a snapshot runs: waiting
		// could deadlock with the other snapshot's Saved.
		if s.running.Load() {
			return kernel.ErrSaveInProgress
		}
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	start := time.Now()
	s.lastTry = start
	err := s.write(st)
	s.failed.Store(err != nil)
	if err != nil {
		return err
	}
	s.lastSave.Store(time.Now().Unix())
	s.lastLSN.Store(st.LSN)
	s.lastTook.Store(int64(time.Since(start)))
	s.log.Info("snapshot saved", "lsn", st.LSN, "keys", len(st.Keys), "size", s.lastSize.Load(),
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (s *snapshotter) write(st *snapshot.State) error {
	tmp := snapshot.TempPath(s.dir, st.LSN)
	written, err := snapshot.Write(tmp, st)
	if err == nil && st.LSN > 0 {
		err = s.wal.WaitOrFail(st.LSN)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("snapshot at LSN %d: %w", st.LSN, err)
	}
	final, err := snapshot.Commit(tmp)
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := snapshot.ReadBack(final); err != nil {
		return errors.Join(fmt.Errorf("snapshot at LSN %d does not read back: %w", st.LSN, err), snapshot.MarkBroken(final))
	}
	if st.LSN != s.newest {
		s.prev, s.newest = s.newest, st.LSN
		s.prevRefs, s.prevKnown = s.newestRefs, true
	}
	s.newestRefs, s.pin = written.Refs, st.BlockPin
	s.lastSize.Store(written.Size)
	if _, err := snapshot.RemoveOlder(s.dir, s.prev); err != nil {
		return err
	}
	if err := s.sweep(); err != nil {
		return fmt.Errorf("snapshot at LSN %d saved, but block files were not swept: %w", st.LSN, err)
	}
	if err := s.wal.DropBefore(s.prev); err != nil {
		return fmt.Errorf("snapshot at LSN %d saved, but the log was not truncated: %w", st.LSN, err)
	}
	s.keptLog.Store(s.wal.Size())
	return nil
}

// halt stops the background loop, letting a running snapshot finish.
func (s *snapshotter) halt() {
	close(s.stop)
	<-s.done
}

// final writes the shutdown snapshot unless the newest one is current, so
// that the next start replays nothing.
func (s *snapshotter) final() error {
	st, covered, err := s.eng.Capture()
	if err != nil {
		return err
	}
	s.mu.Lock()
	current := st.LSN == s.newest && covered == 0
	s.mu.Unlock()
	if current {
		return nil
	}
	if err := s.save(st); err != nil {
		return err
	}
	s.eng.Saved(covered)
	return nil
}

// sweep deletes the block files that neither the newest snapshot nor the
// one before it references and that nothing made cold since the newest
// capture can be in (see blockstore.Store.Sweep). Under mu.
func (s *snapshotter) sweep() error {
	if !s.prevKnown {
		return nil
	}
	n, err := s.blocks.Sweep(s.pin, func(f uint32) bool { return s.newestRefs[f] > 0 || s.prevRefs[f] > 0 })
	if n > 0 {
		s.log.Debug("block files removed", "files", n)
	}
	return err
}

// compact copies forward the live blocks of the block files that are
// mostly dead by the newest snapshot's count, a couple at a time.
func (s *snapshotter) compact() {
	s.mu.Lock()
	files := s.blocks.Candidates(s.pin, s.newestRefs, 2)
	s.mu.Unlock()
	if len(files) > 0 {
		n := s.eng.Compact(files)
		s.log.Debug("compacting block files", "files", files, "blocks", n)
	}
}
