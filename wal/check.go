package wal

// CheckReport is what Check found in a log directory.
type CheckReport struct {
	Records     int    // valid records, up to the first corruption
	First, Last uint64 // LSNs of the first and last valid record; 0 if none
	TornBytes   int    // bytes after the last valid record of the last segment that Open would cut
	Corrupt     string // the first corrupt record (segment file and LSN); "" if none
	Segments    int
	Bytes       int64
}

// Check verifies the log in dir without modifying it.
func Check(dir string) (CheckReport, error) {
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
		s, _ := v.scan(buf, seg.first, nil)
		if s.records > 0 {
			if rep.First == 0 {
				rep.First = seg.first
			}
			rep.Last = seg.first + uint64(s.records) - 1
			rep.Records += s.records
		}
		switch {
		case s.bad != "" && i == len(segs)-1 && !s.later:
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
