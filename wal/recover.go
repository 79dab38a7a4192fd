package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// A failed log recovers by itself, on the committer, once a second. Every
// record not yet published is still held in memory, so it can be written
// again; a published one cannot, since it may have left memory.
//
//   - The tail is read back. Every record published in it must still be
//     there, or the log is dead (errLost). What a failed write may have left
//     after the last record written to it, part of a frame or all of the
//     batch, is cut: those records are held.
//   - If an fsync of the tail failed while it held records not yet published
//     (under Always), they are never fsynced on that file again: the kernel
//     may have dropped the pages the failed fsync covered and reports that
//     only once (fsyncgate). The tail is cut back to its last published
//     record and the cut fsynced, which asks the disk for nothing but the
//     new length, since the records before it were durable before the
//     failure; a new segment then starts at the first record not published.
//     A tail that holds no published record is replaced instead by a fresh
//     empty file of the same name (renamed over it, so that the directory
//     always names the next LSN). Either way each LSN is in exactly one
//     segment file, and the segments stay contiguous through any crash in
//     between: a new segment is created only once the cut is durable.
//   - If an fsync failed that covered published records (everysec and no:
//     the background fsync, or a roll's), those cannot be written again:
//     every segment is fsynced on a fresh descriptor, then the directory.
//     That success does not prove the earlier pages reached the disk; it is
//     all that can be done.
//   - Then the held records are written (and fsynced under Always) and
//     published, and the engine's writes are taken again.

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
	if err := l.checkTail(); err != nil {
		return err
	}
	if l.tail.failed {
		if err := l.freshTail(); err != nil {
			return err
		}
	}
	if f.resync {
		if err := l.syncSegments(); err != nil {
			return err
		}
	}
	return l.flush()
}

// checkTail reads the tail back: every record published in it must still be
// there, and what follows the last record written to it is cut.
func (l *Log) checkTail() error {
	t := l.tail
	published := l.published.Load()
	holdsPublished := t.first <= published
	data, err := readSegment(nil, segmentFile{path: t.path, first: t.first})
	if err != nil {
		if holdsPublished && errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %w", err, errLost)
		}
		return err
	}
	var v verifier
	s, _ := v.scan(data, t.first, l.covered, nil)
	if lsn := s.badLSN(t.first); s.bad != "" && lsn <= published {
		return fmt.Errorf("%w: %w", corruptError(t.path, lsn, s.bad), errLost)
	}
	if end := s.badLSN(t.first) - 1; holdsPublished && end < published {
		return fmt.Errorf("wal: segment %s ends at LSN %d, but LSN %d was acknowledged: %w", t.path, end, published, errLost)
	}
	if int64(len(data)) > t.size {
		if err := t.f.Truncate(t.size); err != nil {
			return fmt.Errorf("wal: cut %s after LSN %d: %w", t.path, l.written, err)
		}
	}
	return nil
}

// freshTail takes the records not yet published off a tail whose fsync
// failed, cutting it back to its last published record and starting a new
// segment after it, or replacing it if it holds none. The records are held.
func (l *Log) freshTail() error {
	t := l.tail
	published := l.published.Load()
	if t.acked == 0 {
		return l.replaceTail(published)
	}
	if err := t.f.Truncate(t.acked); err != nil {
		return fmt.Errorf("wal: cut %s back to LSN %d: %w", t.path, published, err)
	}
	t.size = t.acked
	l.written = published
	l.synced = min(l.synced, published)
	if err := l.fsync(t.f, t.path); err != nil {
		return &fsyncError{err: fmt.Errorf("wal: fsync %s cut back to LSN %d: %w", t.path, published, err)}
	}
	return l.roll()
}

// replaceTail replaces a tail that holds no published record, so whose
// first LSN is published+1, by a fresh empty file: made under a temporary
// name, fsynced and renamed over it.
func (l *Log) replaceTail(published uint64) error {
	t := l.tail
	tmp := t.path + tempSuffix
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("wal: replace %s: %w", t.path, err)
	}
	if err = l.fsync(f, tmp); err != nil {
		err = &fsyncError{err: fmt.Errorf("wal: fsync %s: %w", tmp, err)}
	} else if err = os.Rename(tmp, t.path); err != nil {
		err = fmt.Errorf("wal: replace %s: %w", t.path, err)
	}
	if err != nil {
		if cerr := f.Close(); cerr != nil {
			l.logger.Warn("wal: close", "file", tmp, "err", cerr)
		}
		if rerr := os.Remove(tmp); rerr != nil {
			l.logger.Warn("wal: remove", "file", tmp, "err", rerr)
		}
		return err
	}
	l.close(t)
	l.tail = &segment{f: f, path: t.path, first: t.first}
	l.written = published
	l.synced = min(l.synced, published)
	l.dirty = false
	if err := syncDir(l.dir); err != nil {
		// the rename may not be durable: fsync the directory again
		return &fsyncError{err: err, resync: true}
	}
	return nil
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
		if err := l.fsyncPath(seg.path); err != nil {
			return &fsyncError{err: err, resync: true}
		}
	}
	if err := syncDir(l.dir); err != nil {
		return &fsyncError{err: err, resync: true}
	}
	l.synced = l.written
	return nil
}

// fsyncPath fsyncs the file at path on a descriptor of its own.
func (l *Log) fsyncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("wal: fsync %s: %w", path, err)
	}
	err = l.fsync(f, path)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("wal: fsync %s: %w", path, err)
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
