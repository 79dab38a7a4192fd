package wal

import "fmt"

// Replay calls fn for each record with LSN > after, in order, verifying every
// CRC. It runs at startup, before any Append. Record.Body is only valid during
// fn. Damage after `after` is an error naming the segment and LSN; Open has
// already cut a torn tail. A damaged record at or below after is passed over
// with a warning: the snapshot at after holds what it changed.
func (l *Log) Replay(after uint64, fn func(Record) error) error {
	first, last := l.firstLSN.Load(), l.LastLSN()
	if after > last {
		return fmt.Errorf("wal: replay after LSN %d: log ends at LSN %d; TruncateFront(%d) first restarts numbering", after, last, after)
	}
	if after+1 < first {
		return fmt.Errorf("wal: replay after LSN %d: log starts at LSN %d, the records between are missing", after, first)
	}
	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	var (
		v   verifier
		buf []byte
	)
	apply := func(r Record) error {
		if r.LSN <= after {
			return nil
		}
		if err := fn(r); err != nil {
			return fmt.Errorf("wal: replay LSN %d: %w", r.LSN, err)
		}
		return nil
	}
	for i, seg := range segs {
		if i+1 < len(segs) && segs[i+1].first <= after+1 {
			continue // wholly at or before after
		}
		if buf, err = readSegment(buf, seg); err != nil {
			return err
		}
		s, err := v.scan(buf, seg.first, after, apply)
		if err != nil {
			return err
		}
		if len(s.skipped) > 0 {
			l.logger.Warn("wal: damaged records passed over: the snapshot covers them", "segment", seg.path,
				"lsns", s.skipped, "snapshot_lsn", after)
		}
		if s.bad != "" {
			return corruptError(seg.path, s.badLSN(seg.first), s.bad)
		}
		if err := checkSequence(segs, i, s.records); err != nil {
			return err
		}
	}
	return nil
}
