package wal

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fault is a switchable disk failure for Options.Faults.
type fault struct {
	write, sync atomic.Pointer[func(op func() error) error]
}

func (f *fault) faults() *Faults {
	return &Faults{
		Write: func(op func() error) error {
			if h := f.write.Load(); h != nil {
				return (*h)(op)
			}
			return op()
		},
		Sync: func(op func() error) error {
			if h := f.sync.Load(); h != nil {
				return (*h)(op)
			}
			return op()
		},
	}
}

func failWith(err error) *func(op func() error) error {
	h := func(func() error) error { return err }
	return &h
}

// waitAll waits for lsns in goroutines and reports each result on the channel.
func waitAll(l *Log, lsns []uint64) chan error {
	out := make(chan error, len(lsns))
	for _, lsn := range lsns {
		go func() { out <- l.Wait(lsn) }()
	}
	return out
}

func appendRecords(t *testing.T, l *Log, n int) []uint64 {
	t.Helper()
	var lsns []uint64
	for range n {
		want := l.LastLSN() + 1
		lsn, err := l.Append(testType(want), testBody(want))
		if err != nil || lsn != want {
			t.Fatalf("Append = %d, %v; want LSN %d", lsn, err, want)
		}
		lsns = append(lsns, lsn)
	}
	return lsns
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// noneYet checks that no Wait has returned.
func noneYet(t *testing.T, waits chan error) {
	t.Helper()
	select {
	case err := <-waits:
		t.Fatalf("Wait returned %v while the log was failing", err)
	case <-time.After(50 * time.Millisecond):
	}
}

func allNil(t *testing.T, waits chan error, n int) {
	t.Helper()
	for range n {
		select {
		case err := <-waits:
			if err != nil {
				t.Fatalf("Wait after recovery: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Wait did not return after the fault was removed")
		}
	}
}

// TestWriteFailureRecovers: whatever a failed write leaves on disk, every
// record appended before and during the failure is written once the disk
// takes writes again, and nothing is published before that.
func TestWriteFailureRecovers(t *testing.T) {
	// how the write fails: nothing written, half a frame written, or all
	// of it written but an error reported anyway
	kinds := map[string]func(t *testing.T, dir string) *func(op func() error) error{
		"nothing written": func(*testing.T, string) *func(op func() error) error {
			return failWith(syscall.ENOSPC)
		},
		"partial frame": func(t *testing.T, dir string) *func(op func() error) error {
			h := func(op func() error) error {
				if err := op(); err != nil {
					return err
				}
				// Cut the last frame short: the batch went to the last
				// segment, a new one if the tail rolled before it.
				segs := segmentsOf(t, dir)
				tail := segs[len(segs)-1]
				if err := os.Truncate(tail.path, tail.size-3); err != nil {
					t.Error(err)
				}
				return syscall.ENOSPC
			}
			return &h
		},
		"all written": func(*testing.T, string) *func(op func() error) error {
			h := func(op func() error) error {
				if err := op(); err != nil {
					return err
				}
				return syscall.EIO
			}
			return &h
		},
	}
	for _, p := range []Policy{Always, EverySec, No} {
		for name, kind := range kinds {
			t.Run(p.String()+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				var f fault
				l := openFaulty(t, dir, p, 600, f.faults())
				acked := appendN(t, l, 30)

				f.write.Store(kind(t, dir))
				waits := waitAll(l, appendRecords(t, l, 5))
				eventually(t, "Err set", func() bool { return l.Err() != nil })
				if !errors.Is(l.Err(), syscall.ENOSPC) && !errors.Is(l.Err(), syscall.EIO) {
					t.Fatalf("Err = %v", l.Err())
				}
				if err := l.Wait(acked); err != nil {
					t.Fatalf("Wait for a record published before the failure: %v", err)
				}
				more := appendRecords(t, l, 3) // applied before the caller saw Err
				for _, lsn := range more {
					go func() { waits <- l.Wait(lsn) }()
				}
				noneYet(t, waits)
				if d := l.Durable(); d != acked {
					t.Fatalf("Durable = %d while failing, want %d", d, acked)
				}

				f.write.Store(nil)
				allNil(t, waits, 8)
				if l.Err() != nil {
					t.Fatalf("Err after recovery: %v", l.Err())
				}
				last := appendN(t, l, 20)
				closeLog(t, l)

				l = openLog(t, dir, p, 600)
				defer closeLog(t, l)
				replayCheck(t, l, 0, last)
			})
		}
	}
}

// TestAlwaysFsyncFailureFreshFile: under Always the records a failed fsync
// covered are never fsynced on that file again. The recovery cuts the tail
// back to its last durable record and writes them into a new segment that
// starts after it; if the tail held no durable record, a fresh file replaces
// it.
func TestAlwaysFsyncFailureFreshFile(t *testing.T) {
	for _, acked := range []int{10, 0} {
		t.Run(fmt.Sprintf("%d durable records", acked), func(t *testing.T) {
			dir := t.TempDir()
			var f fault
			l := openFaulty(t, dir, Always, 0, f.faults())
			if acked > 0 {
				appendN(t, l, acked)
			}
			tail := segmentsOf(t, dir)[0].path
			// Held open, the file keeps its inode number: a fresh file
			// made after it is unlinked cannot get the same one.
			failed, err := os.Open(tail)
			if err != nil {
				t.Fatal(err)
			}
			defer failed.Close()

			var syncs atomic.Int32
			h := func(op func() error) error {
				syncs.Add(1)
				return syscall.EIO
			}
			f.sync.Store(&h)
			waits := waitAll(l, appendRecords(t, l, 4))
			eventually(t, "Err set", func() bool { return l.Err() != nil })
			noneYet(t, waits)
			eventually(t, "a recovery attempt", func() bool { return syncs.Load() >= 2 })
			if err := l.Wait(uint64(acked)); err != nil {
				t.Fatal(err)
			}

			f.sync.Store(nil)
			allNil(t, waits, 4)
			info, err := failed.Stat()
			if err != nil {
				t.Fatal(err)
			}
			st := info.Sys().(*syscall.Stat_t)
			segs := segmentsOf(t, dir)
			if acked > 0 {
				if len(segs) != 2 || segs[1].first != uint64(acked+1) {
					t.Fatalf("segments %+v, want the tail and one from LSN %d", segs, acked+1)
				}
				if st.Ino != inode(t, tail) || info.Size() != segs[0].size || len(frameOffsets(t, tail))-1 != acked {
					t.Fatalf("the tail whose fsync failed holds %d bytes, want its %d durable records only", info.Size(), acked)
				}
			} else if len(segs) != 1 || st.Ino == inode(t, tail) || st.Nlink != 0 {
				t.Fatal("the tail segment whose fsync failed is still the log's: written again in place")
			}
			last := appendN(t, l, 3)
			closeLog(t, l)
			l = openLog(t, dir, Always, 0)
			defer closeLog(t, l)
			replayCheck(t, l, 0, last)
		})
	}
}

// TestRollFsyncFailure: when the fsync of the segment a roll leaves fails
// (under everysec and no its records were published before any fsync),
// writes stop until every segment is fsynced again on fresh descriptors;
// the batch that rolled is held until then.
func TestRollFsyncFailure(t *testing.T) {
	dir := t.TempDir()
	var f fault
	l := openFaulty(t, dir, No, 300, f.faults())
	f.sync.Store(failWith(syscall.EIO))
	var held chan error
	for range 100 {
		lsns := appendRecords(t, l, 1)
		waits := waitAll(l, lsns)
		eventually(t, "written or failed", func() bool { return l.Err() != nil || l.Durable() == lsns[0] })
		if l.Err() != nil {
			held = waits
			break
		}
	}
	if held == nil || !strings.Contains(l.Err().Error(), "fsync") {
		t.Fatalf("no failed fsync at a roll: Err = %v", l.Err())
	}
	if n := len(segmentsOf(t, dir)); n != 2 {
		t.Fatalf("%d segments after the roll, want 2", n)
	}
	noneYet(t, held)
	f.sync.Store(nil)
	allNil(t, held, 1)
	last := appendN(t, l, 5)
	closeLog(t, l)
	l = openLog(t, dir, No, 300)
	defer closeLog(t, l)
	replayCheck(t, l, 0, last)
}

// TestTempFileRemoved: a crash while a fresh tail was being made leaves
// its temporary file, which Open removes.
func TestTempFileRemoved(t *testing.T) {
	dir := t.TempDir()
	closeLog(t, openLog(t, dir, Always, 0))
	tmp := segmentsOf(t, dir)[0].path + tempSuffix
	if err := os.WriteFile(tmp, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	closeLog(t, openLog(t, dir, Always, 0))
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s after Open: %v", tmp, err)
	}
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Sys().(*syscall.Stat_t).Ino
}

// TestEverySecFsyncFailure: a failed background fsync stops writes until an
// fsync on a fresh descriptor succeeds; records written before it stay
// published (they were acknowledged), records after it are held.
func TestEverySecFsyncFailure(t *testing.T) {
	dir := t.TempDir()
	var f fault
	l := openFaulty(t, dir, EverySec, 0, f.faults())
	acked := appendN(t, l, 10)
	f.sync.Store(failWith(syscall.EIO))
	// Written, so published at once, unless the failing fsync comes
	// between its append and its write; either way it ends up published.
	dirty := waitAll(l, appendRecords(t, l, 1))
	eventually(t, "the background fsync fails", func() bool { return l.Err() != nil })
	if !strings.Contains(l.Err().Error(), "fsync") {
		t.Fatalf("Err = %v", l.Err())
	}
	if err := l.Wait(acked); err != nil {
		t.Fatal(err)
	}
	waits := waitAll(l, appendRecords(t, l, 3))
	noneYet(t, waits)

	f.sync.Store(nil)
	allNil(t, waits, 3)
	allNil(t, dirty, 1)
	last := appendN(t, l, 2)
	closeLog(t, l)
	l = openLog(t, dir, EverySec, 0)
	defer closeLog(t, l)
	replayCheck(t, l, 0, last)
}

// TestCloseWhileFailing: Shutdown ends the waits with an error (never
// nil), Close tries once more and says how many records were never
// written; what was published is still there after a restart.
func TestCloseWhileFailing(t *testing.T) {
	for _, p := range []Policy{Always, EverySec} {
		t.Run(p.String(), func(t *testing.T) {
			dir := t.TempDir()
			var f fault
			l := openFaulty(t, dir, p, 0, f.faults())
			acked := appendN(t, l, 10)
			f.write.Store(failWith(syscall.ENOSPC))
			waits := waitAll(l, appendRecords(t, l, 4))
			eventually(t, "Err set", func() bool { return l.Err() != nil })
			noneYet(t, waits)

			l.Shutdown()
			for range 4 {
				if err := <-waits; !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("Wait after Shutdown = %v, want the failure", err)
				}
			}
			if _, err := l.Append(1, []byte("late")); err != nil {
				t.Fatalf("Append between Shutdown and Close: %v", err)
			}
			err := l.Close()
			if err == nil || !strings.Contains(err.Error(), "5 records") || !strings.Contains(err.Error(), "never written") {
				t.Fatalf("Close = %v, want 5 records never written", err)
			}
			if err := l.Wait(acked + 1); err == nil {
				t.Fatal("Wait for an unwritten record after Close returned nil")
			}

			l = openLog(t, dir, p, 0)
			defer closeLog(t, l)
			replayCheck(t, l, 0, acked)
		})
	}
}

// TestShutdownRecovers: a failure that has passed by Shutdown is recovered
// there, and the waits end well.
func TestShutdownRecovers(t *testing.T) {
	dir := t.TempDir()
	var f fault
	l := openFaulty(t, dir, Always, 0, f.faults())
	appendN(t, l, 3)
	f.write.Store(failWith(syscall.ENOSPC))
	waits := waitAll(l, appendRecords(t, l, 2))
	eventually(t, "Err set", func() bool { return l.Err() != nil })
	f.write.Store(nil)
	l.Shutdown()
	allNil(t, waits, 2)
	closeLog(t, l)
}

// TestLostRecordsAreFatal: when a recovery finds records the log had
// published gone from the disk, the log is dead and says so.
func TestLostRecordsAreFatal(t *testing.T) {
	dir := t.TempDir()
	var f fault
	l := openFaulty(t, dir, EverySec, 0, f.faults())
	appendN(t, l, 10)
	f.write.Store(failWith(syscall.ENOSPC))
	waits := waitAll(l, appendRecords(t, l, 1))
	eventually(t, "Err set", func() bool { return l.Err() != nil })
	tail := segmentsOf(t, dir)[0].path
	if err := os.Truncate(tail, int64(frameOffsets(t, tail)[5])); err != nil {
		t.Fatal(err)
	}
	f.write.Store(nil)
	select {
	case <-l.Dead():
	case <-time.After(5 * time.Second):
		t.Fatal("the log did not give up")
	}
	if !strings.Contains(l.Err().Error(), "acknowledged records are gone") || !strings.Contains(l.Err().Error(), "ends at LSN 5") {
		t.Fatalf("Err = %v", l.Err())
	}
	l.Shutdown()
	if err := <-waits; err == nil {
		t.Fatal("Wait on a dead log returned nil")
	}
	if err := l.Close(); err == nil {
		t.Fatal("Close of a dead log returned nil")
	}
}
