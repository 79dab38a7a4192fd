package wal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// segmentFile is one segment of the log: a file named by its first LSN (20
// digits, zero-padded) that holds records with consecutive LSNs, each framed
// as a uvarint length and the record (see record.go).
type segmentFile struct {
	path  string
	first uint64
	size  int64
}

const segmentNameLen = 20

func segmentName(first uint64) string { return fmt.Sprintf("%020d", first) }

// listSegments returns the segment files of dir in LSN order, ignoring
// temporary files and .broken copies.
func listSegments(dir string) ([]segmentFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wal: list %s: %w", dir, err)
	}
	var segs []segmentFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || len(name) != segmentNameLen {
			continue
		}
		first, err := strconv.ParseUint(name, 10, 64)
		if err != nil || first == 0 {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, os.ErrNotExist) {
			continue // removed by a concurrent DropBefore
		}
		if err != nil {
			return nil, fmt.Errorf("wal: stat %s: %w", name, err)
		}
		segs = append(segs, segmentFile{path: filepath.Join(dir, name), first: first, size: info.Size()})
	}
	return segs, nil
}

// readSegment reads a whole segment into buf, reusing its capacity.
func readSegment(buf []byte, seg segmentFile) ([]byte, error) {
	f, err := os.Open(seg.path)
	if err != nil {
		return buf, fmt.Errorf("wal: read %s: %w", seg.path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return buf, fmt.Errorf("wal: read %s: %w", seg.path, err)
	}
	n := int(info.Size())
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(f, buf); err != nil {
		return buf, fmt.Errorf("wal: read %s: %w", seg.path, err)
	}
	return buf, nil
}

// syncDir makes file creations, renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("wal: sync dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("wal: sync dir %s: %w", dir, err)
	}
	return nil
}

// makeDir creates dir if it is missing and makes its entry durable.
func makeDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("wal: create %s: %w", dir, err)
	}
	return syncDir(filepath.Dir(filepath.Clean(dir)))
}

// tempSuffix marks a file that is to replace the segment of the same name
// once it is complete (recover.go); one left by a crash is incomplete.
const tempSuffix = ".new"

// removeTemps removes the temporary files a crash left in dir.
func removeTemps(dir string) error {
	temps, err := filepath.Glob(filepath.Join(dir, strings.Repeat("[0-9]", segmentNameLen)+tempSuffix))
	if err != nil {
		return fmt.Errorf("wal: list %s: %w", dir, err)
	}
	for _, path := range temps {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("wal: remove %s: %w", path, err)
		}
	}
	return nil
}
