package wal

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// openRepaired checks every record of the last segment of dir, cuts a torn
// tail there and refuses damage. It returns that segment (its size after
// the cut) and the first and last LSN of the log. An empty directory gets
// the first segment of a new log.
//
// Torn and damaged are told apart as etcd does: a record cut short by the end
// of the file, or with a sector of zeros, with nothing valid after it, is what
// a crash in the middle of a write leaves, and it was never acknowledged under
// Always because its batch's fsync had not returned. A complete record whose
// CRC fails was written whole and has rotted since: it may have been
// acknowledged, even as the last record, so it stops the start (unless the
// snapshot covers it, see Options.Covered, or Options.Repair cuts it).
func openRepaired(dir string, covered uint64, logger *slog.Logger) (tail segmentFile, first, last uint64, err error) {
	segs, err := listSegments(dir)
	if err != nil {
		return tail, 0, 0, err
	}
	if len(segs) == 0 {
		s, err := createSegment(dir, 1)
		if err != nil {
			return tail, 0, 0, err
		}
		if err := s.f.Close(); err != nil {
			return tail, 0, 0, fmt.Errorf("wal: create %s: %w", s.path, err)
		}
		return segmentFile{path: s.path, first: 1}, 1, 0, nil
	}
	tail = segs[len(segs)-1]
	data, err := readSegment(nil, tail)
	if err != nil {
		return tail, 0, 0, err
	}
	var v verifier
	s, _ := v.scan(data, tail.first, covered, nil)
	switch {
	case s.bad == "":
	case !s.torn || s.later:
		return tail, 0, 0, corruptError(tail.path, s.badLSN(tail.first), s.bad)
	default:
		if err := cutTornTail(tail.path, data, s, logger); err != nil {
			return tail, 0, 0, err
		}
		tail.size = int64(s.end)
	}
	return tail, segs[0].first, s.badLSN(tail.first) - 1, nil
}

// cutTornTail keeps a copy of the segment as <segment>.broken, then truncates
// it at the end of its last valid record.
func cutTornTail(path string, data []byte, s segmentScan, logger *slog.Logger) error {
	broken, err := saveBroken(path, data)
	if err != nil {
		return err
	}
	if err := truncateSegment(path, s.end); err != nil {
		return err
	}
	logger.Warn("wal: cut torn tail", "segment", path, "kept_records", s.records,
		"dropped_bytes", len(data)-s.end, "dropped_records", countFrames(data[s.end:]), "copy", broken)
	return nil
}

// repairDamage is Options.Repair: it cuts the log at its first damaged
// record after covered (a torn tail is left to openRepaired), keeping a
// .broken copy of the segment it cuts and setting the later ones aside.
func repairDamage(dir string, covered uint64, logger *slog.Logger) error {
	segs, err := listSegments(dir)
	if err != nil {
		return err
	}
	var (
		v   verifier
		buf []byte
	)
	for i, seg := range segs {
		if buf, err = readSegment(buf, seg); err != nil {
			return err
		}
		s, _ := v.scan(buf, seg.first, covered, nil)
		last := i == len(segs)-1
		switch {
		case s.bad != "" && last && s.torn && !s.later:
			return nil
		case s.bad != "":
			return cutDamage(segs[i:], buf, s, corruptError(seg.path, s.badLSN(seg.first), s.bad), logger)
		}
		if err := checkSequence(segs, i, s.records); err != nil {
			return cutDamage(segs[i:], buf, s, err, logger)
		}
	}
	return nil
}

// cutDamage truncates segs[0] (whose contents are data) at s.end and sets
// the segments after it aside, loudly: records that may have been
// acknowledged are dropped, on the operator's word.
func cutDamage(segs []segmentFile, data []byte, s segmentScan, why error, logger *slog.Logger) error {
	broken, err := saveBroken(segs[0].path, data)
	if err != nil {
		return err
	}
	if err := truncateSegment(segs[0].path, s.end); err != nil {
		return err
	}
	dropped := countFrames(data[s.end:])
	copies := []string{broken}
	for _, seg := range segs[1:] {
		rest, err := readSegment(nil, seg)
		if err != nil {
			return err
		}
		dropped += countFrames(rest)
		aside, err := setAside(seg.path)
		if err != nil {
			return err
		}
		copies = append(copies, aside)
	}
	if err := syncDir(filepath.Dir(segs[0].path)); err != nil {
		return err
	}
	logger.Error("wal: REPAIR (--repair): cut the log at a damaged record; every record after it is dropped",
		"damage", why, "kept_records", s.records, "dropped_records", dropped, "copies", copies)
	return nil
}

// truncateSegment cuts a segment file at end and makes that durable.
func truncateSegment(path string, end int) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("wal: cut %s: %w", path, err)
	}
	err = f.Truncate(int64(end))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("wal: cut %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// brokenName finds a name next to path that is no segment's and no
// earlier copy holds, and calls create with it until create stops
// reporting that the name exists.
func brokenName(path string, create func(name string) error) (string, error) {
	name := path + ".broken"
	for i := 1; ; i++ {
		err := create(name)
		if errors.Is(err, os.ErrExist) {
			name = fmt.Sprintf("%s.broken.%d", path, i)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("wal: save %s: %w", name, err)
		}
		return name, nil
	}
}

// saveBroken writes data next to path as a .broken copy.
func saveBroken(path string, data []byte) (string, error) {
	return brokenName(path, func(name string) error {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// setAside renames a segment to a .broken name, out of the log.
func setAside(path string) (string, error) {
	return brokenName(path, func(name string) error {
		if _, err := os.Lstat(name); err == nil {
			return os.ErrExist
		}
		return os.Rename(path, name)
	})
}

// countFrames counts the records in a torn tail: whole frames plus a partial one.
func countFrames(data []byte) int {
	n := 0
	for len(data) > 0 {
		n++
		_, k, ok := nextFrame(data)
		if !ok {
			break
		}
		data = data[k:]
	}
	return n
}
