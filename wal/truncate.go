package wal

import (
	"fmt"
	"os"
	"path/filepath"

	tidwall "github.com/tidwall/wal"
)

// TruncateFront removes every record with LSN <= upto, once a snapshot at upto
// is safely on disk. Appends may continue meanwhile. If upto >= LastLSN the log
// becomes empty and numbering continues at upto+1; going past LastLSN is only
// allowed while nothing is being appended (at startup).
func (l *Log) TruncateFront(upto uint64) error {
	return l.do(func() error {
		if err := l.commit(); err != nil {
			return err
		}
		if upto > l.written {
			return l.restart(upto)
		}
		if upto < l.firstLSN.Load() {
			return nil
		}
		if err := l.wl.TruncateFront(upto + 1); err != nil {
			return fmt.Errorf("wal: truncate front to LSN %d: %w", upto, err)
		}
		l.firstLSN.Store(upto + 1)
		if err := syncDir(l.dir); err != nil {
			return err
		}
		return l.adopt(l.wl)
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

// restart empties the log and continues numbering at start (> written) + 1.
// tidwall/wal numbers an empty log by its one segment's name, so that segment
// is renamed. mu is held throughout so no Append can take an LSN meanwhile.
func (l *Log) restart(start uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) > 0 || l.last != l.written {
		return fmt.Errorf("wal: restart numbering at LSN %d: appends in flight", start)
	}
	if l.firstLSN.Load() <= l.written {
		if err := l.wl.TruncateFront(l.written + 1); err != nil {
			return fmt.Errorf("wal: restart numbering at LSN %d: %w", start, err)
		}
	}
	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	if len(segs) != 1 || segs[0].size != 0 {
		return fmt.Errorf("wal: restart numbering at LSN %d: want one empty segment, have %d segments", start, len(segs))
	}
	l.broken = true // until the reopened log replaces it
	if err := l.wl.Close(); err != nil {
		return l.fail(fmt.Errorf("wal: restart numbering at LSN %d: %w", start, err))
	}
	if err := os.Rename(segs[0].path, filepath.Join(l.dir, segmentName(start+1))); err != nil {
		return l.fail(fmt.Errorf("wal: restart numbering at LSN %d: %w", start, err))
	}
	if err := syncDir(l.dir); err != nil {
		return l.fail(err)
	}
	wl, err := tidwall.Open(l.dir, tidwallOptions(l.segmentSize))
	if err != nil {
		return l.fail(fmt.Errorf("wal: restart numbering at LSN %d: reopen: %w", start, err))
	}
	l.wl = wl
	l.broken = false
	l.tail = 0
	l.dirty = false
	l.written = start
	l.last = start
	l.lastLSN.Store(start)
	l.firstLSN.Store(start + 1)
	l.publish(start)
	return nil
}

// DropBefore removes the segment files whose records all have LSN <= upto,
// oldest first, once a snapshot at upto is safely on disk. Unlike
// TruncateFront it never rewrites a segment and never runs on the
// committer: tidwall/wal's TruncateFront copies the rest of the segment it
// cuts into and fsyncs it under the lock every append needs, which stalled
// all writers for milliseconds at each snapshot. Up to a segment of records
// <= upto stays; Replay skips them. The files on disk stay a contiguous log
// after every removal. Once it has run, TruncateFront must not (tidwall/wal
// still lists the removed files); TruncateFront is for startup.
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
