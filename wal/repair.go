package wal

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	tidwall "github.com/tidwall/wal"
)

// tidwallOptions is a fresh value on every call because tidwall's Open fills
// in defaults through the pointer.
func tidwallOptions(segmentSize int) *tidwall.Options {
	return &tidwall.Options{
		NoSync:      true, // the committer applies the fsync policy
		SegmentSize: segmentSize,
		LogFormat:   tidwall.Binary,
		AllowEmpty:  true, // TruncateFront may remove every record
	}
}

// openRepaired opens the tidwall log in dir after checking every record of its
// last segment. A torn tail there is cut off; any other damage is an error.
//
// A record that fails its CRC with nothing valid after it is treated as torn,
// like etcd does at the very tail: a crash mid-write leaves exactly that, and
// such a record was never acknowledged under Always because its batch's fsync
// had not returned. A bad record followed by a valid one cannot come from a
// torn append, so that is corruption.
func openRepaired(dir string, segmentSize int, logger *slog.Logger) (*tidwall.Log, error) {
	wl, openErr := tidwall.Open(dir, tidwallOptions(segmentSize))
	if openErr != nil && !errors.Is(openErr, tidwall.ErrCorrupt) {
		return nil, fmt.Errorf("wal: open %s: %w", dir, openErr)
	}
	closeOpened := func() {
		if wl != nil {
			_ = wl.Close() // we are failing or reopening; its error adds nothing
		}
	}
	segs, err := listSegments(dir)
	if err != nil {
		closeOpened()
		return nil, err
	}
	if len(segs) == 0 {
		closeOpened()
		return nil, fmt.Errorf("wal: open %s: no segment after open: %w", dir, openErr)
	}
	tail := segs[len(segs)-1]
	data, err := readSegment(nil, tail)
	if err != nil {
		closeOpened()
		return nil, err
	}
	var v verifier
	s, _ := v.scan(data, tail.first, nil)
	switch {
	case s.bad == "" && openErr == nil:
		return wl, nil
	case s.bad == "":
		return nil, fmt.Errorf("wal: open %s: %w", dir, openErr)
	case s.later:
		closeOpened()
		return nil, corruptError(tail.path, s.badLSN(tail.first), s.bad)
	}
	closeOpened()
	if err := cutTornTail(tail.path, data, s, logger); err != nil {
		return nil, err
	}
	wl, err = tidwall.Open(dir, tidwallOptions(segmentSize))
	if err != nil {
		return nil, fmt.Errorf("wal: reopen %s after repair: %w", dir, err)
	}
	return wl, nil
}

// cutTornTail keeps a copy of the segment as <segment>.broken, then truncates
// it at the end of its last valid record.
func cutTornTail(path string, data []byte, s segmentScan, logger *slog.Logger) error {
	broken, err := saveBroken(path, data)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("wal: repair %s: %w", path, err)
	}
	err = f.Truncate(int64(s.end))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("wal: repair %s: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return err
	}
	logger.Warn("wal: cut torn tail", "segment", path, "kept_records", s.records,
		"dropped_bytes", len(data)-s.end, "dropped_records", countFrames(data[s.end:]), "copy", broken)
	return nil
}

// saveBroken writes data next to path under a name tidwall/wal ignores,
// never overwriting an earlier copy.
func saveBroken(path string, data []byte) (string, error) {
	name := path + ".broken"
	for i := 1; ; i++ {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if errors.Is(err, os.ErrExist) {
			name = fmt.Sprintf("%s.broken.%d", path, i)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("wal: save %s: %w", name, err)
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("wal: save %s: %w", name, err)
		}
		return name, nil
	}
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
