package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// segment is the tail segment file, the one the committer appends to. The
// log keeps nothing of its contents in memory: a batch is framed in a
// buffer and written with one write where the last record ends.
type segment struct {
	f     *os.File
	path  string
	first uint64 // LSN of its first record, its name
	size  int64  // end of the last record written to it: where the next batch goes
	acked int64  // end of the last published record in it; 0 if it holds none
	// failed: an fsync of it failed while it held records not yet
	// published. They are never fsynced on this file again (recover.go).
	failed bool
	// presynced: handed to the background fsync ahead of its roll (presync).
	presynced bool
}

// createSegment creates the empty segment file whose first LSN is first.
func createSegment(dir string, first uint64) (*segment, error) {
	path := filepath.Join(dir, segmentName(first))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("wal: create segment: %w", err)
	}
	return &segment{f: f, path: path, first: first}, nil
}

// openSegment opens seg to append to it; every record in it is published.
func openSegment(seg segmentFile) (*segment, error) {
	f, err := os.OpenFile(seg.path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("wal: open segment: %w", err)
	}
	return &segment{f: f, path: seg.path, first: seg.first, size: seg.size, acked: seg.size}, nil
}

// write writes b after the last record. It does not move size: a write
// that reports an error may still have put bytes there, and the committer
// counts them only once it knows the write succeeded.
func (s *segment) write(b []byte) error {
	_, err := s.f.WriteAt(b, s.size)
	return err
}

// close closes the file of a segment the log no longer writes to. Its
// records are fsynced or held by then, so an error is only worth a warning.
func (l *Log) close(s *segment) {
	if err := s.f.Close(); err != nil {
		l.logger.Warn("wal: close segment", "segment", s.path, "err", err)
	}
}

// fsync fsyncs f, the file at path, through the fault seam and warns when
// the disk is slow.
func (l *Log) fsync(f *os.File, path string) error {
	return l.timeSync(path, f.Sync)
}

// fsyncTail is the committer's fsync of the tail for its group commit,
// through AIO under Always when the kernel takes it (asyncsync_linux.go).
// The context is set up at the first such fsync, since a process that has
// one waits for an RCU grace period at exit (~25 ms here): the other
// policies fsync a few times a second at most and keep their exit fast.
// If the kernel refuses the context or a request, the log fsyncs plainly
// from then on. Committer only.
func (l *Log) fsyncTail() error {
	t := l.tail
	if l.async == nil && !l.asyncTried && l.Policy() == Always {
		l.asyncTried = true
		a, err := takeAsyncSync()
		if err != nil {
			l.logger.Info("wal: no AIO fsync, the committer's fsyncs block a thread", "err", err)
		}
		l.async = a
	}
	if l.async == nil {
		return l.fsync(t.f, t.path)
	}
	err := l.timeSync(t.path, func() error { return l.async.sync(t.f) })
	if errors.Is(err, errNotSubmitted) {
		l.logger.Warn("wal: AIO fsync refused, fsyncing plainly from now on", "err", err)
		l.async.destroy()
		l.async = nil
		return l.fsync(t.f, t.path)
	}
	return err
}

// timeSync runs sync, an fsync of the file at path, through the fault seam
// and the observer, and warns when the disk is slow.
func (l *Log) timeSync(path string, sync func() error) error {
	start := time.Now()
	err := l.faults.sync(sync)
	took := time.Since(start)
	if l.observer != nil {
		l.observer.Fsync(took)
	}
	if took > slowSync {
		l.logger.Warn("wal: slow fsync", "file", path, "took", took)
	}
	return err
}
