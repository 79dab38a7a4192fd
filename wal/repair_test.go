package wal

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTornTail cuts the last segment at every byte inside its last record.
func TestTornTail(t *testing.T) {
	// 0: one segment; 200: the last segment holds a single record, so a cut
	// empties it.
	for _, segmentSize := range []int{0, 200} {
		src := t.TempDir()
		l := openLog(t, src, Always, segmentSize)
		last := appendN(t, l, 30)
		for segmentSize > 0 && segmentsOf(t, src)[len(segmentsOf(t, src))-1].first != last {
			last = appendN(t, l, 1)
		}
		closeLog(t, l)
		segs := segmentsOf(t, src)
		tail := segs[len(segs)-1]
		offs := frameOffsets(t, tail.path)
		start, end := offs[len(offs)-2], offs[len(offs)-1]
		if segmentSize > 0 && start != 0 {
			t.Fatalf("segment size %d: last segment holds more than one record", segmentSize)
		}
		for cut := start; cut < end; cut++ {
			dir := copyDir(t, src)
			path := filepath.Join(dir, filepath.Base(tail.path))
			if err := os.Truncate(path, int64(cut)); err != nil {
				t.Fatal(err)
			}
			l := openLog(t, dir, Always, segmentSize)
			if l.LastLSN() != last-1 {
				t.Fatalf("cut at %d: LastLSN %d, want %d", cut, l.LastLSN(), last-1)
			}
			replayCheck(t, l, 0, last-1)
			if got := appendN(t, l, 1); got != last {
				t.Fatalf("cut at %d: Append after repair got LSN %d, want %d", cut, got, last)
			}
			closeLog(t, l)
			_, err := os.Stat(path + ".broken")
			if repaired := cut > start; repaired != (err == nil) {
				t.Fatalf("cut at %d: .broken copy exists = %v", cut, err == nil)
			}
			l = openLog(t, dir, Always, segmentSize)
			replayCheck(t, l, 0, last)
			closeLog(t, l)
		}
	}
}

// TestFlippedByte: a complete record whose CRC fails is damage wherever it
// is, the last record included: Open refuses, naming the segment and LSN.
func TestFlippedByte(t *testing.T) {
	src := t.TempDir()
	l := openLog(t, src, No, 0)
	last := appendN(t, l, 20)
	closeLog(t, l)
	tail := segmentsOf(t, src)[0]
	offs := frameOffsets(t, tail.path)

	corrupt := map[string]struct {
		off int
		lsn uint64
	}{
		"body of LSN 10":   {offs[9] + 4, 10},
		"length of LSN 10": {offs[9], 10},
		"type of LSN 10":   {offs[9] + 1, 10},
		"CRC of LSN 20":    {offs[19] + 3, 20},
		"body of LSN 20":   {offs[19] + 6, 20},
	}
	for name, c := range corrupt {
		t.Run(name, func(t *testing.T) {
			dir := copyDir(t, src)
			path := filepath.Join(dir, filepath.Base(tail.path))
			flipByte(t, path, c.off)
			_, err := Open(Options{Dir: dir, Logger: quiet})
			want := fmt.Sprintf("LSN %d", c.lsn)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), want) {
				t.Fatalf("Open = %v, want corruption naming %s and %s", err, path, want)
			}
			if _, err := os.Stat(path + ".broken"); err == nil {
				t.Fatal("a refused open left a .broken copy")
			}
			rep, err := Check(dir, 0)
			if err != nil || !strings.Contains(rep.Corrupt, want) {
				t.Fatalf("Check = %+v, %v; want corruption at %s", rep, err, want)
			}
		})
	}
	t.Run("last record with Repair", func(t *testing.T) {
		dir := copyDir(t, src)
		path := filepath.Join(dir, filepath.Base(tail.path))
		flipByte(t, path, offs[19]+6)
		l, err := Open(Options{Dir: dir, Logger: quiet, Repair: true})
		if err != nil {
			t.Fatal(err)
		}
		defer closeLog(t, l)
		replayCheck(t, l, 0, last-1)
		if _, err := os.Stat(path + ".broken"); err != nil {
			t.Fatalf("no .broken copy: %v", err)
		}
	})
	t.Run("last record covered by the snapshot", func(t *testing.T) {
		dir := copyDir(t, src)
		flipByte(t, filepath.Join(dir, filepath.Base(tail.path)), offs[19]+6)
		var logs strings.Builder
		l, err := Open(Options{Dir: dir, Covered: last, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer closeLog(t, l)
		replayCheck(t, l, last, last)
		if !strings.Contains(logs.String(), "damaged records passed over") || !strings.Contains(logs.String(), "lsns=[20]") {
			t.Fatalf("no warning about the damaged record:\n%s", logs.String())
		}
		rep, err := Check(dir, last)
		if err != nil || rep.Corrupt != "" || !strings.Contains(rep.Covered, "LSN [20]") || rep.Records != 19 {
			t.Fatalf("Check = %+v, %v", rep, err)
		}
	})
	t.Run("middle record covered by the snapshot", func(t *testing.T) {
		dir := copyDir(t, src)
		flipByte(t, filepath.Join(dir, filepath.Base(tail.path)), offs[9]+6)
		l, err := Open(Options{Dir: dir, Covered: 12, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer closeLog(t, l)
		replayCheck(t, l, 12, last)
		if err := l.Replay(9, func(Record) error { return nil }); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Replay(9) past a damaged LSN 10 = %v", err)
		}
	})
}

// TestZeroSectorIsTorn: a last record whose later sector reads as zeros
// never reached the disk whole (etcd's torn entry): cut, not refused.
func TestZeroSectorIsTorn(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, Always, 0)
	last := appendN(t, l, 10)
	if _, err := l.Append(1, bytes.Repeat([]byte("v"), 3000)); err != nil {
		t.Fatal(err)
	}
	closeLog(t, l)
	tail := segmentsOf(t, dir)[0]
	data, err := os.ReadFile(tail.path)
	if err != nil {
		t.Fatal(err)
	}
	clear(data[(len(data)/sectorSize)*sectorSize-sectorSize:])
	if err := os.WriteFile(tail.path, data, 0o640); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, Always, 0)
	defer closeLog(t, l)
	replayCheck(t, l, 0, last)
	if _, err := os.Stat(tail.path + ".broken"); err != nil {
		t.Fatalf("no .broken copy: %v", err)
	}
}

// TestRepairOlderSegment: Repair cuts at damage in an older segment and
// sets the later segments aside.
func TestRepairOlderSegment(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, No, 300)
	appendBatches(t, l, 20, 3)
	closeLog(t, l)
	segs := segmentsOf(t, dir)
	second := segs[1]
	offs := frameOffsets(t, second.path)
	flipByte(t, second.path, offs[1]+7)
	bad := second.first + 1

	if _, err := Open(Options{Dir: dir, Logger: quiet, Covered: 0}); err != nil {
		t.Fatalf("Open without Repair checks only the last segment: %v", err)
	}
	l, err := Open(Options{Dir: dir, Logger: quiet, Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog(t, l)
	if l.LastLSN() != bad-1 {
		t.Fatalf("LastLSN after repair = %d, want %d", l.LastLSN(), bad-1)
	}
	replayCheck(t, l, 0, bad-1)
	if n := len(segmentsOf(t, dir)); n != 2 {
		t.Fatalf("%d segments after repair, want 2", n)
	}
	for _, seg := range segs[1:] {
		if _, err := os.Stat(seg.path + ".broken"); err != nil {
			t.Fatalf("no .broken copy of %s: %v", seg.path, err)
		}
	}
}

// TestZeroFilledTail: zero bytes would frame empty records; a crash that
// extends the file without its data must still be cut.
func TestZeroFilledTail(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, Always, 0)
	last := appendN(t, l, 10)
	closeLog(t, l)
	tail := segmentsOf(t, dir)[0]
	f, err := os.OpenFile(tail.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(make([]byte, 4096)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, dir, Always, 0)
	defer closeLog(t, l)
	if l.LastLSN() != last {
		t.Fatalf("LastLSN = %d, want %d", l.LastLSN(), last)
	}
	replayCheck(t, l, 0, last)
}

// TestCorruptOlderSegment: Open reads only the last segment, Replay finds the rest.
func TestCorruptOlderSegment(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, No, 300)
	appendBatches(t, l, 20, 3)
	closeLog(t, l)
	first := segmentsOf(t, dir)[0]
	offs := frameOffsets(t, first.path)
	flipByte(t, first.path, offs[2]+7)

	l = openLog(t, dir, No, 300)
	defer closeLog(t, l)
	err := l.Replay(0, func(Record) error { return nil })
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), first.path) || !strings.Contains(err.Error(), "LSN 3") {
		t.Fatalf("Replay = %v, want corruption naming %s and LSN 3", err, first.path)
	}
	rep, err := Check(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Corrupt, first.path) || rep.Records != 2 {
		t.Fatalf("Check = %+v", rep)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, No, 400)
	appendBatches(t, l, 50, 1)
	if err := l.TruncateFront(20); err != nil {
		t.Fatal(err)
	}
	closeLog(t, l)
	segs := segmentsOf(t, dir)
	var size int64
	for _, s := range segs {
		size += s.size
	}
	first := segs[0].first
	if first == 1 || first > 21 {
		t.Fatalf("the log starts at LSN %d after TruncateFront(20)", first)
	}

	rep, err := Check(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := CheckReport{Records: int(51 - first), First: first, Last: 50, Segments: len(segs), Bytes: size}
	if rep != want {
		t.Fatalf("good dir: Check = %+v, want %+v", rep, want)
	}

	torn := copyDir(t, dir)
	tail := filepath.Join(torn, filepath.Base(segs[len(segs)-1].path))
	offs := frameOffsets(t, tail)
	cut := offs[len(offs)-2] + 3
	if err := os.Truncate(tail, int64(cut)); err != nil {
		t.Fatal(err)
	}
	rep, err = Check(torn, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TornBytes != 3 || rep.Last != 49 || rep.Corrupt != "" {
		t.Fatalf("torn dir: Check = %+v", rep)
	}
	if info, err := os.Stat(tail); err != nil || info.Size() != int64(cut) {
		t.Fatalf("Check modified the torn segment: %v %v", info.Size(), err)
	}

	bad := copyDir(t, dir)
	path := filepath.Join(bad, filepath.Base(segs[len(segs)-1].path))
	flipByte(t, path, frameOffsets(t, path)[0]+5)
	rep, err = Check(bad, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Corrupt, path) || rep.TornBytes != 0 {
		t.Fatalf("corrupt dir: Check = %+v", rep)
	}
}
