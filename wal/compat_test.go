package wal

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The directories in testdata were written by the log of the release that
// stored its segments through github.com/tidwall/wal v1.2.1, using the test
// records of helpers_test.go:
//
//   - tidwall-segments: 300-byte segments; 60 records, TruncateFront(5)
//     (tidwall/wal rewrote the first segment as 00000000000000000006), 20
//     more, DropBefore(20), 20 more: LSN 15-100 in ten segments.
//   - tidwall-restarted: 5 records, then TruncateFront(20): one empty
//     segment renamed 00000000000000000021.

// TestOpensTidwallSegments: such a log opens as it is, replays, and takes
// new records after its last one without changing a byte before them.
func TestOpensTidwallSegments(t *testing.T) {
	dir := copyDir(t, "testdata/tidwall-segments")
	before := readSegments(t, dir)
	l := openLog(t, dir, Always, 300)
	if l.FirstLSN() != 15 || l.LastLSN() != 100 {
		t.Fatalf("opened: first %d last %d, want 15 100", l.FirstLSN(), l.LastLSN())
	}
	replayCheck(t, l, 14, 100)
	last := appendN(t, l, 30)
	closeLog(t, l)

	after := readSegments(t, dir)
	for name, old := range before {
		if !bytes.HasPrefix(after[name], old) {
			t.Errorf("segment %s changed", name)
		}
	}
	l = openLog(t, dir, Always, 300)
	defer closeLog(t, l)
	replayCheck(t, l, 14, last)
	rep, err := Check(dir, 0)
	if err != nil || rep.Corrupt != "" || rep.First != 15 || rep.Last != last {
		t.Fatalf("Check = %+v, %v", rep, err)
	}
}

// TestOpensTidwallRestarted: an emptied log whose numbering was restarted
// continues after it.
func TestOpensTidwallRestarted(t *testing.T) {
	dir := copyDir(t, "testdata/tidwall-restarted")
	l := openLog(t, dir, Always, 0)
	if l.FirstLSN() != 0 || l.LastLSN() != 20 {
		t.Fatalf("opened: first %d last %d, want 0 20", l.FirstLSN(), l.LastLSN())
	}
	replayCheck(t, l, 20, 20)
	last := appendN(t, l, 3)
	closeLog(t, l)
	l = openLog(t, dir, Always, 0)
	defer closeLog(t, l)
	if l.FirstLSN() != 21 || l.LastLSN() != last {
		t.Fatalf("reopened: first %d last %d", l.FirstLSN(), l.LastLSN())
	}
	replayCheck(t, l, 20, last)
}

// readSegments maps each segment file name in dir to its contents.
func readSegments(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, seg := range segmentsOf(t, dir) {
		data, err := os.ReadFile(seg.path)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(seg.path)] = data
	}
	return files
}
