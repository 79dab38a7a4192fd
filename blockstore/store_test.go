package blockstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"sluice/streams"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// block makes a sealed block whose data tells its number.
func block(i int, size int) streams.Sealed {
	data := bytes.Repeat([]byte{byte(i)}, size)
	copy(data, fmt.Sprint(i))
	return streams.Sealed{First: streams.ID{Ms: uint64(i)}, Last: streams.ID{Ms: uint64(i), Seq: 9},
		Live: 10, Deleted: 1, LPBytes: size + 20, Data: data}
}

// collector gathers what the writer reports, by tag.
type collector struct {
	mu   sync.Mutex
	locs map[int]streams.Loc
	got  chan struct{}
}

func newCollector() *collector {
	return &collector{locs: map[int]streams.Loc{}, got: make(chan struct{}, 1000)}
}

func (c *collector) done(ds []Done) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range ds {
		i := d.Tag.(int)
		if _, dup := c.locs[i]; dup {
			panic(fmt.Sprintf("block %d reported twice", i))
		}
		c.locs[i] = d.Loc
	}
	c.got <- struct{}{}
}

// wait waits until n blocks are reported and returns where they are.
func (c *collector) wait(t *testing.T, n int) map[int]streams.Loc {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		if len(c.locs) >= n {
			out := c.locs
			c.mu.Unlock()
			return out
		}
		c.mu.Unlock()
		select {
		case <-c.got:
		case <-deadline:
			t.Fatalf("%d of %d blocks reported", len(c.locs), n)
		}
	}
}

func open(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	opts.Dir, opts.Logger = dir, quiet
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeBlocks(s *Store, from, to, size int) {
	for i := from; i < to; i++ {
		s.Write(Job{Block: block(i, size), Tag: i})
	}
}

func checkLoad(t *testing.T, s *Store, locs map[int]streams.Loc, size int) {
	t.Helper()
	for i, loc := range locs {
		d, err := s.Load(loc)
		if err != nil || !bytes.Equal(d, block(i, size).Data) {
			t.Fatalf("block %d at %+v: %v", i, loc, err)
		}
	}
}

// Blocks written in batches come back from the cache and, after a
// restart, from their files; files roll at their size, and a restart
// never appends to an old file.
func TestWriteLoadRestart(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{CacheSize: 1 << 20, FileSize: 64 << 10})
	c := newCollector()
	s.Start(c.done)
	writeBlocks(s, 0, 100, 3000)
	locs := c.wait(t, 100)
	checkLoad(t, s, locs, 3000)
	st := s.Stats()
	if st.Files < 4 || st.Written != 100 || st.Hits == 0 {
		t.Fatalf("stats %+v", st)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir, Options{})
	defer s.Close()
	checkLoad(t, s, locs, 3000)
	if st := s.Stats(); st.Hits != 0 || st.Misses != 100 {
		t.Fatalf("without a cache every load reads its file: %+v", st)
	}
	c2 := newCollector()
	s.Start(c2.done)
	s.Write(Job{Block: block(500, 10), Tag: 500})
	for _, loc := range locs {
		if got := c2.wait(t, 1)[500]; got.File <= loc.File {
			t.Fatalf("a restart appended to file %d (an old one is %d)", got.File, loc.File)
		}
	}
}

// A damaged or cut record is refused, naming its file and offset; Scan
// tells a torn tail from damage.
func TestDamage(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	done, err := s.WriteNow([]Job{{Block: block(1, 500)}, {Block: block(2, 500)}, {Block: block(3, 500)}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	path := filepath.Join(dir, fileName(done[0].Loc.File))
	good, _ := os.ReadFile(path)

	b := append([]byte(nil), good...)
	b[done[1].Loc.Off+recordHead+7] ^= 0x10
	os.WriteFile(path, b, 0o644)
	s = open(t, dir, Options{})
	_, err = s.Load(done[1].Loc)
	if !errors.Is(err, errDamaged) || !bytes.Contains([]byte(err.Error()), []byte(fmt.Sprintf("%s offset %d", fileName(1), done[1].Loc.Off))) {
		t.Fatalf("damaged record: %v", err)
	}
	if _, err := s.Load(done[0].Loc); err != nil {
		t.Fatalf("the record before the damage: %v", err)
	}
	s.Close()
	reps, err := Scan(dir)
	if err != nil || len(reps) != 1 || reps[0].Damaged[int64(done[1].Loc.Off)] == nil || reps[0].Bad != -1 || reps[0].Records != 2 {
		t.Fatalf("scan of a damaged file: %+v %v", reps, err)
	}

	os.WriteFile(path, good[:len(good)-100], 0o644)
	s = open(t, dir, Options{})
	if _, err := s.Load(done[2].Loc); !errors.Is(err, errDamaged) {
		t.Fatalf("cut record: %v", err)
	}
	s.Close()
	reps, _ = Scan(dir)
	if reps[0].Bad != int64(done[2].Loc.Off) || !reps[0].Torn || reps[0].Records != 2 {
		t.Fatalf("scan of a torn file: %+v", reps)
	}
	zeroed := append(good[:done[2].Loc.Off:done[2].Loc.Off], make([]byte, len(good)-int(done[2].Loc.Off))...)
	os.WriteFile(path, zeroed, 0o644)
	if reps, _ = Scan(dir); reps[0].Bad != int64(done[2].Loc.Off) || !reps[0].Torn {
		t.Fatalf("scan of a tail of zeros: %+v", reps)
	}
}

// While writes fail (a full disk) the writer keeps its blocks and
// retries; once the disk takes them again every block is reported once,
// readable, and no file is left that never held a durable block.
func TestWriteFailureRecovers(t *testing.T) {
	for _, failSync := range []bool{false, true} {
		t.Run(fmt.Sprint("fsync=", failSync), func(t *testing.T) {
			dir := t.TempDir()
			var mu sync.Mutex
			failing := false
			fail := func(op func() error) error {
				mu.Lock()
				defer mu.Unlock()
				if failing {
					return syscall.ENOSPC
				}
				return op()
			}
			f := &Faults{Write: fail}
			if failSync {
				f = &Faults{Sync: fail}
			}
			s := open(t, dir, Options{CacheSize: 1 << 20, Faults: f})
			defer s.Close()
			c := newCollector()
			s.Start(c.done)
			writeBlocks(s, 0, 10, 1000)
			c.wait(t, 10)
			mu.Lock()
			failing = true
			mu.Unlock()
			writeBlocks(s, 10, 20, 1000)
			deadline := time.Now().Add(5 * time.Second)
			for s.Err() == nil && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if !errors.Is(s.Err(), syscall.ENOSPC) {
				t.Fatalf("Err = %v", s.Err())
			}
			writeBlocks(s, 20, 30, 1000)
			mu.Lock()
			failing = false
			mu.Unlock()
			locs := c.wait(t, 30)
			if s.Err() != nil {
				t.Fatalf("Err after recovery: %v", s.Err())
			}
			checkLoad(t, s, locs, 1000)
			if locs[15].File == locs[5].File {
				t.Fatal("blocks retried into the file a write failed on")
			}
			s.Close()
			reps, _ := Scan(dir)
			for _, r := range reps {
				if r.Records == 0 {
					t.Fatalf("a file without a block was left: %+v", r)
				}
			}
		})
	}
}

// Compaction copies: a copy job writes the same block elsewhere; a copy
// of a block whose file is gone is reported with no place.
func TestCopyAndSweep(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{FileSize: 8 << 10})
	defer s.Close()
	done, err := s.WriteNow([]Job{{Block: block(1, 3000)}, {Block: block(2, 3000)}, {Block: block(3, 3000)},
		{Block: block(4, 3000)}, {Block: block(5, 3000)}})
	if err != nil {
		t.Fatal(err)
	}
	first, second := done[0].Loc.File, done[2].Loc.File
	if first == second {
		t.Fatal("files did not roll")
	}
	pin := s.Pin()
	if pin <= second {
		t.Fatalf("pin %d is not past the full files", pin)
	}
	refs := map[uint32]int64{first: 3000, second: 6000}
	if c := s.Candidates(pin, refs, 5); len(c) != 1 || c[0] != first {
		t.Fatalf("candidates %v", c)
	}
	moved, err := s.WriteNow([]Job{{From: done[0].Loc, Tag: "a"}})
	if err != nil || moved[0].Loc.File < pin {
		t.Fatalf("copy: %+v %v", moved, err)
	}
	if d, err := s.Load(moved[0].Loc); err != nil || !bytes.Equal(d, block(1, 3000).Data) {
		t.Fatalf("copied block: %v", err)
	}
	n, err := s.Sweep(pin, func(f uint32) bool { return f == second })
	if err != nil || n != 1 {
		t.Fatalf("sweep removed %d: %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, fileName(first))); !os.IsNotExist(err) {
		t.Fatal("swept file still there")
	}
	if _, err := s.Load(done[2].Loc); err != nil {
		t.Fatalf("kept file: %v", err)
	}
	gone, err := s.WriteNow([]Job{{From: done[0].Loc, Tag: "b"}})
	if err != nil || gone[0].Loc.Len != 0 || gone[0].Tag != "b" {
		t.Fatalf("copy from a swept file: %+v %v", gone, err)
	}
	if n, _ := s.Sweep(s.Pin()+1, func(uint32) bool { return false }); n != 1 {
		t.Fatalf("swept %d: the file being written must stay", n)
	}
}

// Blocks just written are served from memory; a sequential read of cold
// blocks reads ahead and does not evict them.
func TestCache(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{CacheSize: 4 << 20})
	var jobs []Job
	for i := range 600 {
		jobs = append(jobs, Job{Block: block(i, 4000)})
	}
	old, err := s.WriteNow(jobs)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir, Options{CacheSize: 4 << 20})
	defer s.Close()
	recent, err := s.WriteNow([]Job{{Block: block(1000, 4000)}, {Block: block(1001, 4000)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range old {
		if _, err := s.Load(d.Loc); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	if st.Reads > 600/10 || st.CacheBytes > 4<<20 {
		t.Fatalf("a sequential read of 600 blocks took %d reads (cache %d bytes)", st.Reads, st.CacheBytes)
	}
	for _, d := range recent {
		if _, err := s.Load(d.Loc); err != nil {
			t.Fatal(err)
		}
	}
	if s.Stats().Misses != st.Misses {
		t.Fatal("the blocks written last were evicted by a scan")
	}
	s.cache.setMax(0)
	if st := s.Stats(); st.CacheBytes != 0 {
		t.Fatalf("cache of 0 holds %d bytes", st.CacheBytes)
	}
}

// The writer waits batchDelay for blocks to share an fsync, unless
// batchBytes of them are queued already: the wait bounds the data kept
// hot, not only the time.
func TestBatchBytesEndsTheWait(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	const size = 4096
	n := batchBytes / size
	writeBlocks(s, 0, n-1, size)
	if len(s.full) != 0 {
		t.Fatalf("full signalled with %d of %d bytes queued", (n-1)*size, batchBytes)
	}
	writeBlocks(s, n-1, n, size)
	if len(s.full) != 1 {
		t.Fatalf("full not signalled with %d bytes queued", n*size)
	}
	c := newCollector()
	s.Start(c.done)
	checkLoad(t, s, c.wait(t, n), size)
	s.mu.Lock()
	queued := s.queued
	s.mu.Unlock()
	if queued != 0 || len(s.full) != 0 {
		t.Fatalf("after the batch: %d bytes counted as queued, full signal pending: %v", queued, len(s.full) == 1)
	}
}
