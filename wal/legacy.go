package wal

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
)

// finishTidwallTruncate completes a truncation that the release before this
// one was interrupted in. That release stored its segments through
// github.com/tidwall/wal, which truncates by writing the segment it keeps as
// <name>.START (the front cut) or <name>.END (the back cut), then removing
// the segments that one replaces, then renaming it to <name>; its Open
// finishes a truncation a crash interrupted, and so does this, once, before
// the log is read. Until then the records in such a file are in no segment.
func finishTidwallTruncate(dir string, logger *slog.Logger) error {
	entries, err := os.ReadDir(dir) // sorted by name, as tidwall/wal reads them
	if err != nil {
		return fmt.Errorf("wal: list %s: %w", dir, err)
	}
	var names []string // segments and the marked file, in name order
	start, end := -1, -1
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || len(name) < segmentNameLen {
			continue
		}
		if first, err := strconv.ParseUint(name[:segmentNameLen], 10, 64); err != nil || first == 0 {
			continue
		}
		switch name[segmentNameLen:] {
		case "":
		case ".START":
			start = len(names)
		case ".END":
			end = len(names)
		default:
			continue
		}
		names = append(names, name)
	}
	var marked int
	var replaced []string
	switch {
	case start < 0 && end < 0:
		return nil
	case start >= 0 && end >= 0:
		return fmt.Errorf("wal: open %s: both a .START and an .END file of an interrupted tidwall/wal truncation", dir)
	case start >= 0:
		marked, replaced = start, names[:start] // a segment of the same name sorts first
	default:
		marked, replaced = end, names[end+1:] // the rename replaces one of the same name
	}
	for _, name := range replaced {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("wal: finish an interrupted truncation: %w", err)
		}
	}
	from := filepath.Join(dir, names[marked])
	if err := os.Rename(from, from[:len(from)-len(names[marked])+segmentNameLen]); err != nil {
		return fmt.Errorf("wal: finish an interrupted truncation: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	logger.Warn("wal: finished a truncation that the previous release was interrupted in",
		"file", from, "removed_segments", replaced)
	return nil
}
