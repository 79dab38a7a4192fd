package broker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sluice/wal"
)

// lastRecord returns the only log segment of dir and the offset of its
// last record's body.
func lastRecord(t *testing.T, dir string) (string, int64) {
	t.Helper()
	segs, err := filepath.Glob(filepath.Join(dir, "wal", strings.Repeat("[0-9]", 20)))
	if err != nil || len(segs) != 1 {
		t.Fatalf("want one log segment, have %v %v", segs, err)
	}
	data, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	var last int
	for off := 0; off < len(data); {
		size, n := binary.Uvarint(data[off:])
		last = off + n
		off += n + int(size)
	}
	return segs[0], int64(last + 8) // past the type byte and the CRC
}

// TestDamagedLastRecord: a complete last record that fails its CRC (bit rot
// after it was acknowledged, not a torn write) stops the start, naming the
// segment and LSN; --repair cuts it and starts.
func TestDamagedLastRecord(t *testing.T) {
	src := t.TempDir()
	s := start(t, src)
	s.xadds(t, "s", 0, 5)
	crashed := filepath.Join(t.TempDir(), "data")
	copyDir(t, src, crashed) // appendfsync always, no command running: what kill -9 leaves
	s.stop(t)
	seg, off := lastRecord(t, crashed)
	flipByte(t, seg, off)

	_, err := Open(Config{Dir: crashed, Fsync: wal.Always, Logger: slog.New(slog.DiscardHandler)})
	if !errors.Is(err, wal.ErrCorrupt) || !strings.Contains(err.Error(), seg) || !strings.Contains(err.Error(), "LSN 5") ||
		!strings.Contains(err.Error(), "--repair") {
		t.Fatalf("open with a damaged last record: %v", err)
	}

	s = startConfig(t, Config{Dir: crashed, Fsync: wal.Always, Repair: true})
	defer s.stop(t)
	if n := s.xlen(t, "s"); n != 4 {
		t.Fatalf("XLEN %d after --repair, want 4", n)
	}
	if !strings.Contains(s.logs.String(), "REPAIR") {
		t.Fatalf("no loud log about the repair:\n%s", s.logs)
	}
	if _, err := os.Stat(seg + ".broken"); err != nil {
		t.Fatalf("no .broken copy: %v", err)
	}
}

// TestDamagedRecordCoveredBySnapshot: damage in a record the snapshot
// already holds does not stop the start; it is warned about.
func TestDamagedRecordCoveredBySnapshot(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir)
	s.xadds(t, "s", 0, 5)
	s.stop(t) // the shutdown snapshot covers every record
	seg, off := lastRecord(t, dir)
	flipByte(t, seg, off)

	s = start(t, dir)
	defer s.stop(t)
	if n := s.xlen(t, "s"); n != 5 {
		t.Fatalf("XLEN %d, want 5", n)
	}
	if want := fmt.Sprintf("segment=%s lsns=[5]", seg); !strings.Contains(s.logs.String(), want) {
		t.Fatalf("no warning with %q:\n%s", want, s.logs)
	}
	s.xadds(t, "s", 5, 1)
}
