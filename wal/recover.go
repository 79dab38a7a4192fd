package wal

import (
	"errors"
	"fmt"
	"time"

	tidwall "github.com/tidwall/wal"
)

// A failed log recovers by itself, on the committer, once a second:
//
//   - A failed write or committer fsync leaves tidwall/wal's state unknown
//     (it may hold half a batch in memory, the file half a frame), so the log
//     is closed and reopened from the files, and whatever follows the last
//     valid record of the tail is cut: those records are still held here.
//   - Under Always, the pages a failed fsync covered may be gone even if a
//     later fsync succeeds (fsyncgate), so the file is not fsynced again:
//     tidwall/wal's TruncateBack rewrites the tail into a fresh file up to the
//     last durable record, and the held records are written after it.
//   - Under EverySec and No, the records written before a failed fsync were
//     acknowledged and are no longer in memory: the segments are fsynced
//     again on fresh descriptors, and writes resume once that succeeds.
//   - Then the held records not on disk are written (and fsynced under
//     Always) and published, and the engine's writes are taken again.

// errLost wraps the failure of a recovery that found records the log had
// acknowledged gone from the disk. Nothing brings them back: the log is dead.
var errLost = errors.New("acknowledged records are gone from the log")

// recover tries once to bring a failed log back; committer only.
func (l *Log) recover() error {
	f := l.failure.Load()
	if f == nil {
		return nil
	}
	select {
	case <-l.dead:
		return f.err
	default:
	}
	if err := l.retry(f); err != nil {
		l.fail(err)
		if errors.Is(err, errLost) {
			l.logger.Error("wal: THE LOG CANNOT RECOVER: records it had acknowledged are gone from the disk", "dir", l.dir, "err", err)
			close(l.dead)
		} else {
			l.logger.Debug("wal: still failing", "dir", l.dir, "err", err)
		}
		return err
	}
	if !l.failure.CompareAndSwap(f, nil) {
		// a background fsync started before the failure has failed
		// meanwhile: what it covered needs its own recovery
		return l.failure.Load().err
	}
	l.logger.Warn("wal: writes resumed: the log holds every change again", "dir", l.dir,
		"failed_for", time.Since(f.since).Round(time.Millisecond), "durable_lsn", l.published.Load())
	return nil
}

func (l *Log) retry(f *failure) error {
	l.take()
	fresh := f.sync && l.broken && l.Policy() == Always
	if l.broken {
		if err := l.reopen(fresh); err != nil {
			return err
		}
	}
	if f.sync && !fresh {
		if err := l.syncSegments(); err != nil {
			return err
		}
	}
	return l.flush()
}

// reopen replaces the failed tidwall log with one opened from the files,
// cut after their last valid record; fresh rewrites the tail into a new
// file up to the last durable record.
func (l *Log) reopen(fresh bool) error {
	if l.wl != nil {
		// tidwall/wal's Close fsyncs first. After a failure that proves
		// nothing (what follows the durable records is rewritten anyway),
		// and if it fails the descriptor stays open: all we can do is
		// drop it.
		if err := l.wl.Close(); err != nil {
			l.logger.Warn("wal: closing the failed log", "dir", l.dir, "err", err)
		}
		l.wl = nil
	}
	l.files.Lock()
	defer l.files.Unlock()
	durable := l.published.Load()
	if err := cutAfterFailure(l.dir, durable, l.covered); err != nil {
		return err
	}
	wl, err := tidwall.Open(l.dir, tidwallOptions(l.segmentSize))
	if err != nil {
		return fmt.Errorf("wal: reopen %s: %w", l.dir, err)
	}
	last, err := wl.LastIndex()
	switch {
	case err != nil:
		err = fmt.Errorf("wal: reopen %s: %w", l.dir, err)
	case last < durable:
		err = fmt.Errorf("wal: reopen %s: the log ends at LSN %d, but LSN %d was acknowledged: %w", l.dir, last, durable, errLost)
	case fresh && last > durable:
		if err = wl.TruncateBack(durable); err != nil {
			err = fmt.Errorf("wal: rewrite %s up to LSN %d: %w", l.dir, durable, err)
		}
		last = durable
	}
	if err == nil && fresh {
		err = syncDir(l.dir)
	}
	if err == nil {
		err = l.adopt(wl)
	}
	if err != nil {
		_ = wl.Close() // failing with err already
		return err
	}
	l.broken = false
	l.written = last
	l.dirty = last > durable
	i := 0
	for i < len(l.held) && l.held[i].lsn <= last {
		i++ // the failed write did put this one on disk
	}
	l.held = l.held[i:]
	return nil
}

// cutAfterFailure cuts the tail segment after its last valid record: a
// failed write may have left part of a frame there, and every record after
// durable is still in memory. No copy is kept: nothing is lost, and the
// disk may be full. A bad record at or below durable means records already
// acknowledged are gone. covered is as in Options.
func cutAfterFailure(dir string, durable, covered uint64) error {
	segs, err := listSegments(dir)
	if err != nil || len(segs) == 0 {
		return err // no segment: reopening finds the log short
	}
	tail := segs[len(segs)-1]
	data, err := readSegment(nil, tail)
	if err != nil {
		return err
	}
	var v verifier
	s, _ := v.scan(data, tail.first, covered, nil)
	if s.bad == "" {
		return nil
	}
	if lsn := s.badLSN(tail.first); lsn <= durable {
		return fmt.Errorf("%w: %w", corruptError(tail.path, lsn, s.bad), errLost)
	}
	return truncateSegment(tail.path, s.end)
}

// syncSegments fsyncs every segment on a fresh descriptor, then the
// directory. It is all that can be done after a failed fsync under EverySec
// or No, and it leaves a gap, as Redis's retried AOF fsync does: Linux
// reports a writeback error once, so this success does not prove that the
// pages the failed fsync covered reached the disk.
func (l *Log) syncSegments() error {
	l.files.Lock()
	defer l.files.Unlock()
	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	for _, seg := range segs {
		if err := l.faults.sync(func() error { return l.fsyncPath(seg.path) }); err != nil {
			return &fsyncError{fmt.Errorf("wal: fsync %s: %w", seg.path, err)}
		}
	}
	if err := syncDir(l.dir); err != nil {
		return &fsyncError{err}
	}
	return nil
}

// drain is the committer's last act, for Close: write and fsync everything
// queued. A failed log gets one more recovery attempt; what still cannot be
// written is reported, never claimed.
func (l *Log) drain() error {
	if err := l.commit(); err == nil {
		if err = l.sync(); err == nil {
			return nil
		}
		l.fail(err)
	}
	if err := l.recover(); err == nil {
		if err = l.sync(); err == nil {
			return nil
		}
		l.fail(err)
	}
	return l.unwritten()
}

// unwritten logs and returns what a log closing in failure could not write.
func (l *Log) unwritten() error {
	l.take()
	f := l.failure.Load()
	n := len(l.held)
	if n == 0 {
		l.logger.Error("wal: closing after a failed fsync: every record was written, but those up to the failure may not be on disk",
			"dir", l.dir, "written_through_lsn", l.written, "err", f.err)
		return fmt.Errorf("wal: close %s: %w", l.dir, f.err)
	}
	first, last := l.held[0].lsn, l.held[n-1].lsn
	l.logger.Error("wal: closing with the log failed: records were never written (none was acknowledged)",
		"dir", l.dir, "records", n, "first_lsn", first, "last_lsn", last, "err", f.err)
	return fmt.Errorf("wal: %d records (LSN %d-%d) were never written, none acknowledged: %w", n, first, last, f.err)
}
