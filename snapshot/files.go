package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// File is a snapshot file in a data directory.
type File struct {
	Path string
	LSN  uint64
}

const (
	prefix    = "snap-"
	suffix    = ".snap"
	tmpSuffix = ".tmp"
)

// TempPath is where the snapshot at lsn is written before Commit.
func TempPath(dir string, lsn uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%s%020d%s", prefix, lsn, tmpSuffix))
}

// Commit publishes a written temporary file under its final name, durably.
func Commit(tmp string) (string, error) {
	final := strings.TrimSuffix(tmp, tmpSuffix) + suffix
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("snapshot: commit: %w", err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", err
	}
	return final, nil
}

// List returns the snapshots in dir, newest (highest LSN) first.
func List(dir string) ([]File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: list %s: %w", dir, err)
	}
	var files []File
	for _, e := range entries {
		lsn, ok := parseName(e.Name(), suffix)
		if ok && !e.IsDir() {
			files = append(files, File{Path: filepath.Join(dir, e.Name()), LSN: lsn})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].LSN > files[j].LSN })
	return files, nil
}

func parseName(name, suffix string) (uint64, bool) {
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
		return 0, false
	}
	lsn, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix), 10, 64)
	return lsn, err == nil
}

// MarkBroken renames a damaged snapshot aside (keeping it for inspection)
// so that it is never loaded again.
func MarkBroken(path string) error {
	if err := os.Rename(path, path+".broken"); err != nil {
		return fmt.Errorf("snapshot: set aside %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// RemoveOlder deletes the snapshots below lsn and any unfinished temporary
// files, returning how many files it removed.
func RemoveOlder(dir string, lsn uint64) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("snapshot: list %s: %w", dir, err)
	}
	removed := 0
	for _, e := range entries {
		old, isSnap := parseName(e.Name(), suffix)
		_, isTmp := parseName(e.Name(), tmpSuffix)
		if (isSnap && old < lsn) || isTmp {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return removed, fmt.Errorf("snapshot: remove: %w", err)
			}
			removed++
		}
	}
	if removed > 0 {
		return removed, syncDir(dir)
	}
	return 0, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("snapshot: sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("snapshot: sync dir %s: %w", dir, err)
	}
	return nil
}
