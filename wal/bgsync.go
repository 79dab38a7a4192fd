package wal

import (
	"errors"
	"fmt"
	"os"
)

// Under EverySec the once-a-second fsync runs on its own goroutine, as Redis
// fsyncs its AOF from a background thread, so that the committer never waits
// for the disk to write. It fsyncs the tail on the committer's own file
// descriptor while the committer goes on writing to it: fsync makes durable
// every write to the file that completed before it started, and says
// nothing of those that did not, so the committer marks the tail clean when
// it hands it over and dirty again with its next write, which the next
// second's fsync covers. If the committer closes the file meanwhile (a roll
// or a recovery), os.File keeps the descriptor open until the fsync in
// flight returns.
type bgSyncer struct {
	req  chan *segment // the tail to fsync (its file and path); capacity 1
	done chan struct{} // closed when the goroutine has returned
}

// presyncMin is the smallest segment size presync works for.
const presyncMin = 1 << 20

func newBgSyncer() bgSyncer {
	return bgSyncer{req: make(chan *segment, 1), done: make(chan struct{})}
}

func (l *Log) bgSyncLoop() {
	defer close(l.bg.done)
	for {
		select {
		case <-l.stop:
			return
		case s := <-l.bg.req:
			err := l.fsync(s.f, s.path)
			switch {
			case errors.Is(err, os.ErrClosed):
				// Closed before the fsync could start. Nothing needs it
				// any more: a roll fsyncs the tail it closes, and a
				// recovery or a restart of the numbering drops what it
				// does not fsync.
			case err != nil:
				// What was written before it may not be on disk, and it was
				// acknowledged: writes stop until a recovery fsyncs again.
				l.fail(&fsyncError{err: fmt.Errorf("wal: fsync %s: %w", s.path, err), resync: true})
			default:
				l.syncs.Add(1)
			}
		}
	}
}

// presync hands the tail to the background fsync once, when it holds 7/8
// of a segment, under everysec and no: the roll's own fsync, which every
// reply waits for, then finds little left to write. At 2M XADDs P16 under
// everysec a roll took 6.8-7.1 ms without it and 1.6-1.8 ms with it.
// Under always the committer's fsyncs already cover the tail, and in a
// segment under presyncMin the last eighth is too little to matter.
// Committer only.
func (l *Log) presync() {
	t := l.tail
	if t.presynced || l.Policy() == Always || l.segmentSize < presyncMin ||
		t.size < int64(l.segmentSize)-int64(l.segmentSize)/8 {
		return
	}
	// A background fsync still running leaves it to the next batch.
	t.presynced = l.startBgSync()
}

// startBgSync hands the tail to the background fsync if anything was
// written since the last fsync started and none is running, and reports
// whether it did. Committer only.
func (l *Log) startBgSync() bool {
	if !l.dirty {
		return false
	}
	select {
	case l.bg.req <- l.tail:
		l.dirty = false
		return true
	default: // the previous fsync is still running
		return false
	}
}
