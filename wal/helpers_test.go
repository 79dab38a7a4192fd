package wal

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openLog(t testing.TB, dir string, p Policy, segmentSize int) *Log {
	t.Helper()
	return openFaulty(t, dir, p, segmentSize, nil)
}

func openFaulty(t testing.TB, dir string, p Policy, segmentSize int, faults *Faults) *Log {
	t.Helper()
	l, err := Open(Options{Dir: dir, Fsync: p, SegmentSize: segmentSize, Logger: quiet, Faults: faults})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func testBody(lsn uint64) []byte {
	return fmt.Appendf(nil, "record %d %s", lsn, bytes.Repeat([]byte{'x'}, int(lsn%37)))
}

func testType(lsn uint64) byte { return byte(lsn % 7) }

// appendN appends n records, checks their LSNs are dense and waits for the last.
func appendN(t testing.TB, l *Log, n int) uint64 {
	t.Helper()
	var lsn uint64
	for range n {
		want := l.LastLSN() + 1
		got, err := l.Append(testType(want), testBody(want))
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if got != want {
			t.Fatalf("Append LSN = %d, want %d", got, want)
		}
		lsn = got
	}
	if err := l.Wait(lsn); err != nil {
		t.Fatalf("Wait(%d): %v", lsn, err)
	}
	return lsn
}

// appendBatches appends batches×each records, waiting after each batch: a
// batch is never split across segments, so small segments roll between them.
func appendBatches(t testing.TB, l *Log, batches, each int) uint64 {
	t.Helper()
	var last uint64
	for range batches {
		last = appendN(t, l, each)
	}
	return last
}

// replayCheck replays after `after` and checks it yields exactly the test
// records after+1..last.
func replayCheck(t testing.TB, l *Log, after, last uint64) {
	t.Helper()
	next := after + 1
	err := l.Replay(after, func(r Record) error {
		if r.LSN != next {
			return fmt.Errorf("LSN %d, want %d", r.LSN, next)
		}
		if r.Type != testType(r.LSN) || !bytes.Equal(r.Body, testBody(r.LSN)) {
			return fmt.Errorf("LSN %d: wrong type or body", r.LSN)
		}
		next++
		return nil
	})
	if err != nil {
		t.Fatalf("Replay(%d): %v", after, err)
	}
	if next != last+1 {
		t.Fatalf("Replay(%d) ended at LSN %d, want %d", after, next-1, last)
	}
}

func closeLog(t testing.TB, l *Log) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func segmentsOf(t testing.TB, dir string) []segmentFile {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

// frameOffsets returns the start offset of every frame in a segment file, plus its size.
func frameOffsets(t testing.TB, path string) []int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int
	for off := 0; off < len(data); {
		offs = append(offs, off)
		_, n, ok := nextFrame(data[off:])
		if !ok {
			t.Fatalf("%s: bad frame at %d", path, off)
		}
		off += n
	}
	return append(offs, len(data))
}

// copyDir copies the segment files of src into a new temp dir.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, seg := range segmentsOf(t, src) {
		data, err := os.ReadFile(seg.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(seg.path)), data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func flipByte(t testing.TB, path string, off int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[off] ^= 0x40
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
}
