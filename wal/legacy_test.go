package wal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFinishTidwallTruncate: a directory where tidwall/wal was interrupted
// in a truncation, made from testdata/tidwall-segments (LSN 15-100 in
// segments starting at 15, 24, 31, 38, 52, 61, 68, 75, 89, 98) as its
// TruncateFront and TruncateBack leave it midway: the segment it keeps is
// written whole as .START or .END, some of the segments it replaces are
// removed. Open finishes the truncation, and no record is lost or doubled.
func TestFinishTidwallTruncate(t *testing.T) {
	for _, c := range []struct {
		name        string
		marker      string   // .START or .END
		seg         uint64   // the segment cut
		from, upto  uint64   // the LSNs of it the marker file keeps
		removed     []uint64 // segments removed before the crash
		first, last uint64   // the log after Open
	}{
		{"front, two removed", ".START", 38, 40, 51, []uint64{15, 24}, 40, 100},
		{"front, none removed", ".START", 38, 40, 51, nil, 40, 100},
		{"back, all removed", ".END", 89, 89, 93, []uint64{89, 98}, 15, 93},
		{"back, none removed", ".END", 89, 89, 93, nil, 15, 93},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, "testdata/tidwall-segments")
			src := filepath.Join(dir, segmentName(c.seg))
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			offs := frameOffsets(t, src)
			kept := data[offs[c.from-c.seg]:offs[c.upto-c.seg+1]]
			if err := os.WriteFile(filepath.Join(dir, segmentName(c.from)+c.marker), kept, 0o640); err != nil {
				t.Fatal(err)
			}
			for _, lsn := range c.removed {
				if err := os.Remove(filepath.Join(dir, segmentName(lsn))); err != nil {
					t.Fatal(err)
				}
			}

			l := openLog(t, dir, Always, 300)
			if l.FirstLSN() != c.first || l.LastLSN() != c.last {
				t.Fatalf("opened: first %d last %d, want %d %d", l.FirstLSN(), l.LastLSN(), c.first, c.last)
			}
			replayCheck(t, l, c.first-1, c.last)
			last := appendN(t, l, 5)
			closeLog(t, l)
			l = openLog(t, dir, Always, 300)
			defer closeLog(t, l)
			replayCheck(t, l, c.first-1, last)
			names, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range names {
				if strings.HasSuffix(e.Name(), c.marker) {
					t.Fatalf("%s is still there", e.Name())
				}
			}
		})
	}
}
