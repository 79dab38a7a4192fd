package wal

import (
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by errors about damage that is not a torn tail.
var ErrCorrupt = errors.New("wal: corrupt log")

// resyncSpan is how many LSNs past a bad record resync tries. One damaged
// record is the common case; a few cover a damaged sector.
const resyncSpan = 8

// sectorSize is the unit a disk writes atomically, the smallest that etcd
// assumes: a torn write leaves whole sectors unwritten, which read as zeros.
const sectorSize = 512

// segmentScan is what one pass over a segment found.
type segmentScan struct {
	records int    // frames from the start of the segment up to end, valid or skipped
	end     int    // byte offset just past the last frame accepted
	bad     string // why the bytes at end are not a valid record; "" when clean
	// torn: the bad frame is cut short by the end of the data, or has a
	// sector of zeros: a write that never completed, as etcd draws the
	// line. A complete frame whose CRC fails otherwise is damage.
	torn bool
	// later: a valid record follows a torn-looking frame, so it is damage
	// inside the log after all (a damaged length, zeros mid-log). Not
	// looked for after a complete frame: that is damage either way.
	later bool
	// skipped are the LSNs of damaged records at or below covered, passed
	// over: the snapshot recovery starts from holds what they changed.
	skipped []uint64
}

// badLSN is the LSN the first bad frame should have carried.
func (s segmentScan) badLSN(first uint64) uint64 { return first + uint64(s.records) }

// scan walks the frames of one segment whose first LSN is first, calling fn
// (if not nil) for each valid record until the first bad frame. A damaged
// record at or below covered whose frame is intact is passed over, not fed
// to fn: its length still frames what follows.
func (v *verifier) scan(data []byte, first, covered uint64, fn func(Record) error) (segmentScan, error) {
	var s segmentScan
	for s.end < len(data) {
		lsn := s.badLSN(first)
		payload, n, ok := nextFrame(data[s.end:])
		if !ok {
			s.bad, s.torn = "frame cut short", true
			break
		}
		rec, ok := v.verify(lsn, payload)
		if !ok {
			s.bad, s.torn = "checksum mismatch", hasZeroSector(data, s.end, n)
			if s.torn || lsn > covered {
				break
			}
			s.bad = ""
			s.skipped = append(s.skipped, lsn)
		} else if fn != nil {
			if err := fn(rec); err != nil {
				return s, err
			}
		}
		s.records++
		s.end += n
	}
	if s.torn {
		s.later = v.resync(data, s.end, s.badLSN(first))
	}
	return s, nil
}

// hasZeroSector reports whether one of the sector-aligned pieces of the n
// bytes at off is all zeros (etcd's isTornEntry): the disk never wrote it.
func hasZeroSector(data []byte, off, n int) bool {
	for start := off; start < off+n; {
		end := min((start/sectorSize+1)*sectorSize, off+n)
		zero := true
		for _, b := range data[start:end] {
			if b != 0 {
				zero = false
				break
			}
		}
		if zero {
			return true
		}
		start = end
	}
	return false
}

// resync reports whether a valid record with one of the next few LSNs starts
// anywhere after the bad frame at off. A torn write leaves nothing valid behind
// it, so finding one means the damage is in the middle of the log. Searching
// every offset (not just the next frame boundary) also catches a damaged
// length prefix, which throws the framing off.
func (v *verifier) resync(data []byte, off int, bad uint64) bool {
	for q := off + 1; q < len(data); q++ {
		payload, _, ok := nextFrame(data[q:])
		if !ok || len(payload) < headerLen {
			continue
		}
		for lsn := bad + 1; lsn <= bad+resyncSpan; lsn++ {
			if _, ok := v.verify(lsn, payload); ok {
				return true
			}
		}
	}
	return false
}

func corruptError(path string, lsn uint64, why string) error {
	return fmt.Errorf("%w: segment %s at LSN %d: %s", ErrCorrupt, path, lsn, why)
}

// checkSequence reports a segment whose record count does not reach exactly to
// where the next segment starts: its records would be numbered wrong.
func checkSequence(segs []segmentFile, i, records int) error {
	if i+1 == len(segs) {
		return nil
	}
	end := segs[i].first + uint64(records)
	if next := segs[i+1].first; end != next {
		return corruptError(segs[i].path, end, fmt.Sprintf("segment ends before LSN %d but the next one starts at %d", end, next))
	}
	return nil
}
