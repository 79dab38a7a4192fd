package wal

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// FuzzScan feeds arbitrary bytes to the segment decoder (frames, CRCs,
// records, the torn/damaged line). Whatever it reads must be consistent:
// the valid prefix ends on a frame boundary and scans clean on its own,
// every record handed out verifies, and LSNs count frames.
func FuzzScan(f *testing.F) {
	dir := f.TempDir()
	l := openLog(f, dir, No, 0)
	appendN(f, l, 12)
	if _, err := l.Append(2, bytes.Repeat([]byte{'z'}, 700)); err != nil { // crosses a sector
		f.Fatal(err)
	}
	closeLog(f, l)
	seg, err := os.ReadFile(segmentsOf(f, dir)[0].path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seg, uint8(0))
	f.Add(seg[:len(seg)-5], uint8(0))
	flipped := slices.Clone(seg)
	flipped[40] ^= 0x40
	f.Add(flipped, uint8(5))
	f.Add(append(slices.Clone(seg), make([]byte, 600)...), uint8(0))
	zeroed := slices.Clone(seg)
	clear(zeroed[len(zeroed)-200:])
	f.Add(zeroed, uint8(13))

	f.Fuzz(func(t *testing.T, data []byte, covered uint8) {
		const first = 1
		var (
			v    verifier
			lsns []uint64
		)
		s, err := v.scan(data, first, uint64(covered), func(r Record) error {
			// Body aliases data: its offset follows from the capacities.
			off := cap(data) - cap(r.Body)
			payload := data[off-headerLen : off+len(r.Body)]
			if got, ok := (&verifier{}).verify(r.LSN, payload); !ok || got.Type != r.Type || payload[0] != r.Type {
				t.Fatalf("record %d handed out does not verify", r.LSN)
			}
			lsns = append(lsns, r.LSN)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if s.end > len(data) || (s.bad == "") != (s.end == len(data)) {
			t.Fatalf("end %d of %d bytes, bad %q", s.end, len(data), s.bad)
		}
		if s.bad == "" && (s.torn || s.later) {
			t.Fatalf("clean scan marked torn %v later %v", s.torn, s.later)
		}
		all := append(slices.Clone(lsns), s.skipped...)
		slices.Sort(all)
		for i, lsn := range all {
			if lsn != first+uint64(i) {
				t.Fatalf("records and skipped LSNs %v do not count frames", all)
			}
		}
		if len(all) != s.records {
			t.Fatalf("%d records counted, %d seen", s.records, len(all))
		}
		for _, lsn := range s.skipped {
			if lsn > uint64(covered) {
				t.Fatalf("skipped LSN %d above covered %d", lsn, covered)
			}
		}
		again, _ := (&verifier{}).scan(data[:s.end], first, uint64(covered), nil)
		if again.bad != "" || again.records != s.records || !slices.Equal(again.skipped, s.skipped) {
			t.Fatalf("the valid prefix does not scan clean: %+v, first scan %+v", again, s)
		}
		if s.bad != "" && countFrames(data[s.end:]) < 1 {
			t.Fatal("a bad tail counts no frame")
		}
	})
}
