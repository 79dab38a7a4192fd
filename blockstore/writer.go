package blockstore

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"sluice/streams"
)

// Job is a block for the writer: a sealed block (its index fields and
// data), or, when Block.Data is nil, the record at From to copy into the
// file being written (compaction). Tag comes back in its Done.
type Job struct {
	Block streams.Sealed
	From  streams.Loc
	Tag   any
}

// Done says where a Job's block is, durably. Loc is zero for a copy whose
// record could not be read: its block is not one anyone still needs (see
// Sweep).
type Done struct {
	Tag any
	Loc streams.Loc
}

// flushSize bounds the writer's buffer between writes.
const flushSize = 1 << 20

// Start starts the writer goroutine, which Close stops. It writes queued
// blocks in batches, one fsync each, and calls done with each batch once
// it is durable; done may take locks of its own, the Store holds none then.
func (s *Store) Start(done func([]Done)) {
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	go s.run(done)
}

// Write queues jobs for the writer. It never blocks on the disk.
func (s *Store) Write(jobs ...Job) {
	s.mu.Lock()
	s.queue = append(s.queue, jobs...)
	for _, j := range jobs {
		s.queued += len(j.Block.Data) + int(j.From.Len)
	}
	full := s.queued >= batchBytes
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	if full {
		select {
		case s.full <- struct{}{}:
		default:
		}
	}
}

// WriteNow writes jobs on the caller's goroutine and fsyncs them, for a
// caller that must see its blocks durable before it goes on (tests that
// want every sealed block cold at once).
func (s *Store) WriteNow(jobs []Job) ([]Done, error) {
	done, err := s.writeBatch(jobs)
	if err != nil {
		s.failed(err)
		return nil, err
	}
	s.recovered()
	s.keepRecent(jobs, done)
	return done, nil
}

func (s *Store) run(done func([]Done)) {
	defer close(s.stopped)
	var held []Job // taken from the queue, not yet written
	for {
		if len(held) == 0 {
			select {
			case <-s.stop:
				return
			case <-s.kick:
			}
			// Let the blocks sealed meanwhile share the fsync, until
			// batchBytes of them are queued.
			if !s.wait(batchDelay, s.full) {
				return
			}
		}
		s.mu.Lock()
		held = append(held, s.queue...)
		clear(s.queue) // let go of the blocks' data
		s.queue, s.queued = s.queue[:0], 0
		select {
		case <-s.full: // a signal for blocks taken now
		default:
		}
		s.mu.Unlock()
		res, err := s.writeBatch(held)
		if err != nil {
			s.failed(err)
			if !s.wait(retryDelay, nil) {
				return
			}
			continue
		}
		s.recovered()
		s.keepRecent(held, res)
		s.report(res, done)
		clear(held)
		held = held[:0]
	}
}

// wait waits d, or until early (nil: never) delivers, reporting false if
// the Store is closing.
func (s *Store) wait(d time.Duration, early <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.stop:
		return false
	case <-t.C:
	case <-early:
	}
	return true
}

// keepRecent puts the blocks just written into the cache's recent part.
func (s *Store) keepRecent(jobs []Job, done []Done) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, j := range jobs {
		if j.Block.Data != nil && done[i].Loc.Len != 0 {
			s.cache.addRecent(key(done[i].Loc), j.Block.Data)
		}
	}
}

// report hands a written batch to done, with Pin covering its files
// until done returns.
func (s *Store) report(res []Done, done func([]Done)) {
	low := uint32(0)
	for _, d := range res {
		if d.Loc.Len != 0 && (low == 0 || d.Loc.File < low) {
			low = d.Loc.File
		}
	}
	s.mu.Lock()
	s.inflight = low
	s.mu.Unlock()
	done(res)
	s.mu.Lock()
	s.inflight = 0
	s.mu.Unlock()
}

// failed records a failed batch; the writer retries it.
func (s *Store) failed(err error) {
	s.stats.writeErrors.Add(1)
	if s.failure.Swap(&err) == nil {
		s.log.Error("writing stream blocks failed; writes are refused until it succeeds again, retrying every second "+
			"(nothing is lost: the log holds the entries)", "err", err)
	}
}

func (s *Store) recovered() {
	if s.failure.Swap(nil) != nil {
		s.log.Warn("writing stream blocks works again")
	}
}

// writeBatch appends the jobs' records to the current file, rolling to a
// new one when it is full, and fsyncs what it wrote. On failure the file
// it was writing is left alone (what it holds that was reported stays
// readable) and the next batch starts a new one; nothing of the batch is
// reported, so it is all written again.
func (s *Store) writeBatch(jobs []Job) ([]Done, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	done := make([]Done, len(jobs))
	b := batch{s: s, buf: s.wbuf[:0]}
	defer func() { s.wbuf = b.buf[:0] }()
	for i, j := range jobs {
		blk := j.Block
		if blk.Data == nil {
			rec, err := s.readRecord(j.From)
			if err != nil {
				s.log.Debug("blockstore: a block to copy is gone", "file", fileName(j.From.File), "offset", j.From.Off, "err", err)
				done[i] = Done{Tag: j.Tag}
				continue
			}
			blk = rec
			s.stats.copied.Add(1)
		}
		loc, err := b.add(&blk)
		if err != nil {
			return nil, b.abandon(err)
		}
		done[i] = Done{Tag: j.Tag, Loc: loc}
	}
	if err := b.finish(); err != nil {
		return nil, b.abandon(err)
	}
	return done, nil
}

// batch is one writeBatch's progress in the current file.
type batch struct {
	s   *Store
	f   *file
	buf []byte
	at  int64 // file offset of buf[0]
}

// add appends a block's record, returning where it goes.
func (b *batch) add(blk *streams.Sealed) (streams.Loc, error) {
	n := recordLen(uint32(len(blk.Data)))
	if b.f == nil {
		if err := b.open(); err != nil {
			return streams.Loc{}, err
		}
	}
	if end := b.at + int64(len(b.buf)); end+n > b.s.fileSize && end > fileHead {
		if err := b.finish(); err != nil {
			return streams.Loc{}, err
		}
		b.s.mu.Lock()
		b.s.cur = nil
		b.s.mu.Unlock()
		if err := b.open(); err != nil {
			return streams.Loc{}, err
		}
	}
	off := uint32(b.at + int64(len(b.buf)))
	b.buf = appendRecord(b.buf, b.f.num, off, blk)
	b.s.stats.written.Add(1)
	b.s.stats.writtenBytes.Add(n)
	if len(b.buf) >= flushSize {
		if err := b.flush(); err != nil {
			return streams.Loc{}, err
		}
	}
	return streams.Loc{File: b.f.num, Off: off, Len: uint32(len(blk.Data))}, nil
}

// open makes the current file the batch's, creating a new one if there
// is none.
func (b *batch) open() error {
	s := b.s
	s.mu.Lock()
	f := s.cur
	num := s.next
	s.mu.Unlock()
	if f == nil {
		h, err := os.OpenFile(filepath.Join(s.dir, fileName(num)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("blockstore: create %s: %w", fileName(num), err)
		}
		f = &file{num: num, f: h}
		s.mu.Lock()
		s.files[num], s.cur, s.next = f, f, num+1
		s.mu.Unlock()
		b.f, b.at, b.buf = f, 0, appendFileHead(b.buf[:0], num)
		return nil
	}
	b.f, b.at, b.buf = f, f.size, b.buf[:0]
	return nil
}

// flush writes the buffer to the file.
func (b *batch) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	err := b.s.faults.write(func() error {
		_, err := b.f.f.WriteAt(b.buf, b.at)
		return err
	})
	if err != nil {
		return fmt.Errorf("blockstore: write %s: %w", fileName(b.f.num), err)
	}
	b.at += int64(len(b.buf))
	b.buf = b.buf[:0]
	b.s.mu.Lock()
	b.f.size = b.at
	b.s.mu.Unlock()
	return nil
}

// finish writes what is buffered and fsyncs the file, and the directory
// the first time, so that a new file is found after a crash.
func (b *batch) finish() error {
	if b.f == nil {
		return nil
	}
	if err := b.flush(); err != nil {
		return err
	}
	if b.f.synced == b.at {
		return nil
	}
	if err := b.s.faults.sync(b.f.f.Sync); err != nil {
		return fmt.Errorf("blockstore: fsync %s: %w", fileName(b.f.num), err)
	}
	if b.f.synced == 0 {
		if err := b.s.faults.sync(func() error { return syncDir(b.s.dir) }); err != nil {
			return fmt.Errorf("blockstore: fsync %s: %w", b.s.dir, err)
		}
	}
	b.f.synced = b.at
	return nil
}

// abandon gives up the file of a failed batch for writing; one that never
// had a durable record goes.
func (b *batch) abandon(err error) error {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := b.f; f != nil {
		if s.cur == f {
			s.cur = nil
		}
		if f.synced == 0 {
			f.f.Close()
			os.Remove(filepath.Join(s.dir, fileName(f.num)))
			delete(s.files, f.num)
		}
	}
	return err
}

// readRecord reads and checks the whole record at loc (to copy it).
func (s *Store) readRecord(loc streams.Loc) (streams.Sealed, error) {
	s.mu.Lock()
	h, err := s.handle(loc.File)
	s.mu.Unlock()
	if err != nil {
		return streams.Sealed{}, err
	}
	buf := make([]byte, recordLen(loc.Len))
	if _, err := h.ReadAt(buf, int64(loc.Off)); err != nil {
		return streams.Sealed{}, fmt.Errorf("blockstore: read %s: %w", fileName(loc.File), err)
	}
	blk, _, err := parseRecord(loc.File, loc.Off, buf)
	return blk, err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
