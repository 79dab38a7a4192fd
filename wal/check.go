package wal

import "fmt"

// CheckReport is what Check found in a log directory.
type CheckReport struct {
	Records     int    // valid records, up to the first corruption
	First, Last uint64 // LSNs of the first and last record; 0 if none
	TornBytes   int    // bytes after the last valid record of the last segment that Open would cut
	Corrupt     string // the first damage recovery cannot pass (segment file and LSN); "" if none
	// Covered describes the damaged records the snapshot covers (segment
	// files and LSNs), which recovery passes over; "" if none.
	Covered  string
	Segments int
	Bytes    int64
}

// Check verifies the log in dir without modifying it, as recovery from a
// snapshot at covered (0: none) would read it.
func Check(dir string, covered uint64) (CheckReport, error) {
	var rep CheckReport
	segs, err := listSegments(dir)
	if err != nil {
		return rep, err
	}
	rep.Segments = len(segs)
	for _, seg := range segs {
		rep.Bytes += seg.size
	}
	var (
		v   verifier
		buf []byte
	)
	for i, seg := range segs {
		if buf, err = readSegment(buf, seg); err != nil {
			return rep, err
		}
		s, _ := v.scan(buf, seg.first, covered, nil)
		if s.records > 0 {
			if rep.First == 0 {
				rep.First = seg.first
			}
			rep.Last = seg.first + uint64(s.records) - 1
			rep.Records += s.records - len(s.skipped)
		}
		if len(s.skipped) > 0 {
			if rep.Covered != "" {
				rep.Covered += "; "
			}
			rep.Covered += fmt.Sprintf("segment %s LSN %v", seg.path, s.skipped)
		}
		switch {
		case s.bad != "" && i == len(segs)-1 && s.torn && !s.later:
			rep.TornBytes = len(buf) - s.end
		case s.bad != "":
			rep.Corrupt = corruptError(seg.path, s.badLSN(seg.first), s.bad).Error()
			return rep, nil
		}
		if err := checkSequence(segs, i, s.records); err != nil {
			rep.Corrupt = err.Error()
			return rep, nil
		}
	}
	return rep, nil
}
