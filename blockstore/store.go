package blockstore

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sluice/streams"
)

// Defaults for Options.
const (
	DefaultFileSize  = 64 << 20
	DefaultCacheSize = 64 << 20
	// batchDelay spaces the writer's fsyncs: blocks sealed meanwhile
	// share one. Every fsync competes with the log's writes for the
	// disk, so a slow stream waits this long; a fast one waits only
	// until batchBytes are queued, which bounds the blocks kept hot.
	batchDelay = 100 * time.Millisecond
	batchBytes = 1 << 20
	// retryDelay spaces attempts after a failed write, as the log's.
	retryDelay = time.Second
)

// Options configure Open.
type Options struct {
	Dir       string // the block files' directory (created if missing)
	CacheSize int64  // bytes of block data kept in memory (Load); 0: none
	FileSize  int64  // a file is not grown past this; 0: DefaultFileSize
	Logger    *slog.Logger
	Faults    *Faults // nil in production
}

// Store keeps sealed stream blocks in block files and reads them back
// through a cache. Load may be called from any goroutine; one writer
// goroutine, started by Start and owned by the Store, does every write.
type Store struct {
	dir      string
	fileSize int64
	log      *slog.Logger
	faults   *Faults

	wmu   sync.Mutex // held for a whole batch: one writes at a time
	wbuf  []byte     // the batch buffer, kept between batches; under wmu
	mu    sync.Mutex // guards files, cur, next, inflight, queue and the cache
	files map[uint32]*file
	// cur is the file the writer appends to; nil until it writes, and
	// after a failed write (the next write starts a new file). next is
	// the number the next new file takes.
	cur  *file
	next uint32
	// inflight is the lowest file holding blocks reported written whose
	// report is still being applied (0: none); see Pin.
	inflight uint32
	queue    []Job
	queued   int // bytes of block data in queue
	cache    cache
	lastMiss streams.Loc // for detecting sequential reads

	kick    chan struct{}
	full    chan struct{} // queued reached batchBytes
	stop    chan struct{}
	stopped chan struct{}
	started bool

	failure atomic.Pointer[error] // the writer's failure, nil while it writes
	stats   counters
}

// file is one block file. size is how far it is written (and readable).
type file struct {
	num  uint32
	f    *os.File
	size int64
	// synced is how much of it an fsync covers; a file whose first
	// fsync has not happened is not known to the directory yet.
	synced int64
}

// counters are the Store's statistics.
type counters struct {
	hits, misses, reads, readBytes atomic.Int64
	written, writtenBytes, copied  atomic.Int64
	writeErrors                    atomic.Int64
	removed                        atomic.Int64
}

const fileSuffix = ".blk"

func fileName(num uint32) string { return fmt.Sprintf("%08d%s", num, fileSuffix) }

// Open opens the block files in opts.Dir. It reads none of them: blocks
// are read when a stream needs them, and checked then.
func Open(opts Options) (*Store, error) {
	if opts.FileSize <= 0 {
		opts.FileSize = DefaultFileSize
	}
	opts.FileSize = min(opts.FileSize, 1<<31) // offsets are 32 bits
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("blockstore: %w", err)
	}
	s := &Store{dir: opts.Dir, fileSize: opts.FileSize, log: opts.Logger, faults: opts.Faults,
		files: map[uint32]*file{}, next: 1,
		kick: make(chan struct{}, 1), full: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{})}
	s.cache.setMax(opts.CacheSize)
	nums, err := listFiles(opts.Dir)
	if err != nil {
		return nil, err
	}
	for _, n := range nums {
		fi, err := os.Stat(filepath.Join(opts.Dir, fileName(n)))
		if err != nil {
			return nil, fmt.Errorf("blockstore: %w", err)
		}
		s.files[n] = &file{num: n, size: fi.Size(), synced: fi.Size()}
		// Never append to a file of an earlier run: its tail may be torn.
		s.next = n + 1
	}
	return s, nil
}

// listFiles returns the numbers of the block files in dir, in order.
func listFiles(dir string) ([]uint32, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("blockstore: %w", err)
	}
	var nums []uint32
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, fileSuffix) || e.IsDir() {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(name, fileSuffix), 10, 32)
		if err == nil && n > 0 {
			nums = append(nums, uint32(n))
		}
	}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	return nums, nil
}

// Err is why block writes fail, nil while they succeed. The writer keeps
// the blocks it could not write and retries every second.
func (s *Store) Err() error {
	if p := s.failure.Load(); p != nil {
		return *p
	}
	return nil
}

// Pin is the lowest file that blocks made cold from now on may be in: the
// file the writer appends to, or an older one whose report is being
// applied. A snapshot captured now references no file at or above Pin
// that it does not name, and the live state may come to: see Sweep.
func (s *Store) Pin() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	pin := s.next
	if s.cur != nil {
		pin = s.cur.num
	}
	if s.inflight != 0 && s.inflight < pin {
		pin = s.inflight
	}
	return pin
}

// Close stops the writer, after the batch it is writing, and closes the
// files; calling it again does nothing. Blocks still queued are not written: the log and the snapshot
// hold their entries.
func (s *Store) Close() error {
	s.mu.Lock()
	started := s.started
	s.started = false
	s.mu.Unlock()
	if started {
		close(s.stop)
		<-s.stopped
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var first error
	for _, f := range s.files {
		if f.f != nil {
			if err := f.f.Close(); err != nil && first == nil {
				first = fmt.Errorf("blockstore: close %s: %w", fileName(f.num), err)
			}
			f.f = nil
		}
	}
	s.cur = nil
	return first
}

// handle returns an open descriptor of file num, opening it for reading
// if needed. Under mu.
func (s *Store) handle(num uint32) (*os.File, error) {
	f, ok := s.files[num]
	if !ok {
		return nil, fmt.Errorf("blockstore: no block file %s", fileName(num))
	}
	if f.f == nil {
		h, err := os.Open(filepath.Join(s.dir, fileName(num)))
		if err != nil {
			return nil, fmt.Errorf("blockstore: %w", err)
		}
		f.f = h
	}
	return f.f, nil
}

// Stats are the Store's figures, for INFO.
type Stats struct {
	Files                 int
	DiskBytes             int64
	CacheBytes, CacheMax  int64
	RecentBytes           int64
	Hits, Misses          int64
	Reads, ReadBytes      int64
	Written, WrittenBytes int64
	Copied, Removed       int64
	Queued                int
	WriteErrors           int64
}

// Stats returns the current figures.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Files: len(s.files), CacheBytes: s.cache.recentBytes + s.cache.clockBytes, CacheMax: s.cache.max,
		RecentBytes: s.cache.recentBytes, Queued: len(s.queue),
		Hits: s.stats.hits.Load(), Misses: s.stats.misses.Load(), Reads: s.stats.reads.Load(),
		ReadBytes: s.stats.readBytes.Load(), Written: s.stats.written.Load(), WrittenBytes: s.stats.writtenBytes.Load(),
		Copied: s.stats.copied.Load(), Removed: s.stats.removed.Load(), WriteErrors: s.stats.writeErrors.Load()}
	for _, f := range s.files {
		st.DiskBytes += f.size
	}
	return st
}
