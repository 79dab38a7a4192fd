package wal

import (
	"fmt"
	"os"
	"path/filepath"
)

// TruncateFront drops what a snapshot at upto covers, at startup: the segment
// files whose records are all at or below upto, as DropBefore does. If the
// log ends at or before upto (the snapshot covers all of it, or more: the
// unsynced end of the log was lost), the log is emptied and numbering
// continues at upto+1; going past LastLSN is only allowed while nothing is
// being appended.
func (l *Log) TruncateFront(upto uint64) error {
	return l.do(func() error {
		if err := l.commit(); err != nil {
			return err
		}
		if upto >= l.written {
			return l.restart(upto)
		}
		return l.DropBefore(upto)
	})
}

// SetStart makes the next LSN start+1 on an empty log, for when a snapshot at
// start exists but the log was lost.
func (l *Log) SetStart(start uint64) error {
	return l.do(func() error {
		if err := l.commit(); err != nil {
			return err
		}
		if first := l.firstLSN.Load(); first <= l.written {
			return fmt.Errorf("wal: set start %d: log is not empty (LSN %d-%d)", start, first, l.written)
		}
		switch {
		case start < l.written:
			return fmt.Errorf("wal: set start %d: below last LSN %d", start, l.written)
		case start == l.written:
			return nil
		}
		return l.restart(start)
	})
}

// restart empties the log, every record of which is at or below start, and
// continues numbering at start+1: the segments are removed oldest first, then
// an empty one named start+1 is created (unless the tail is that already).
// Every state a crash may leave in between is a log that ends at or before
// start, or an empty directory, which the snapshot at start covers.
// mu is held throughout so that no Append takes an LSN meanwhile.
func (l *Log) restart(start uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) > 0 || l.last != l.written {
		return fmt.Errorf("wal: restart numbering at LSN %d: appends in flight", start+1)
	}
	l.files.Lock()
	defer l.files.Unlock()
	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	keep := l.tail.first == start+1 && l.tail.size == 0
	for _, seg := range segs {
		if seg.path == l.tail.path {
			continue
		}
		if err := os.Remove(seg.path); err != nil {
			return fmt.Errorf("wal: restart numbering at LSN %d: %w", start+1, err)
		}
	}
	if !keep {
		if err := os.Remove(l.tail.path); err != nil {
			return fmt.Errorf("wal: restart numbering at LSN %d: %w", start+1, err)
		}
		// The tail is gone: nothing may be written until a new one
		// exists, so a failure from here on is latched.
		tail, err := createSegment(l.dir, start+1)
		if err != nil {
			return l.fail(fmt.Errorf("wal: restart numbering at LSN %d: %w", start+1, err))
		}
		l.close(l.tail)
		l.tail = tail
	}
	if err := syncDir(l.dir); err != nil {
		return l.fail(err)
	}
	l.written, l.synced, l.dirty = start, start, false
	l.last = start
	l.lastLSN.Store(start)
	l.firstLSN.Store(start + 1)
	l.publish(start)
	return nil
}

// DropBefore removes the segment files whose records all have LSN <= upto,
// oldest first, once a snapshot at upto is safely on disk. It never rewrites
// a segment and never runs on the committer, so writers never wait for it:
// up to a segment of records <= upto stays, and Replay skips them. The files
// on disk stay a contiguous log after every removal, and the tail, the one
// file being written, is never removed.
func (l *Log) DropBefore(upto uint64) error {
	l.files.Lock()
	defer l.files.Unlock()
	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	dropped := false
	for i := 0; i+1 < len(segs) && segs[i+1].first-1 <= upto; i++ {
		if err := os.Remove(segs[i].path); err != nil {
			return fmt.Errorf("wal: drop segment %s: %w", filepath.Base(segs[i].path), err)
		}
		l.firstLSN.Store(segs[i+1].first)
		dropped = true
	}
	if dropped {
		return syncDir(l.dir)
	}
	return nil
}
