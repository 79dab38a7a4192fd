package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Under EverySec the once-a-second fsync runs on its own goroutine, on its
// own file descriptor, as Redis fsyncs its AOF from a background thread:
// tidwall/wal's Sync holds the log's lock for the whole fsync, and on the
// committer it would stall every write behind the disk. fsync covers what
// any descriptor wrote to the file before it began; segments that roll are
// fsynced by tidwall/wal as it closes them.
type bgSyncer struct {
	req   chan string   // the tail segment to fsync; capacity 1
	retry chan struct{} // the fsync could not run; mark dirty again
	done  chan struct{} // closed when the goroutine has returned
}

func newBgSyncer() bgSyncer {
	return bgSyncer{req: make(chan string, 1), retry: make(chan struct{}, 1), done: make(chan struct{})}
}

func (l *Log) bgSyncLoop() {
	defer close(l.bg.done)
	for {
		select {
		case <-l.stop:
			return
		case path := <-l.bg.req:
			err := l.faults.sync(func() error { return l.fsyncPath(path) })
			switch {
			case errors.Is(err, fs.ErrNotExist):
				// renamed by a truncation meanwhile: fsync next round
				select {
				case l.bg.retry <- struct{}{}:
				default:
				}
			case err != nil:
				// What was written before it may not be on disk, and it was
				// acknowledged: writes stop until a recovery fsyncs again.
				l.fail(&fsyncError{fmt.Errorf("wal: fsync %s: %w", path, err)})
			default:
				l.syncs.Add(1)
			}
		}
	}
}

// startBgSync hands the tail segment to the background fsync if anything
// was written since the last one and none is running. Committer only.
func (l *Log) startBgSync() {
	select {
	case <-l.bg.retry:
		l.dirty = true
	default:
	}
	if !l.dirty {
		return
	}
	segs, err := listSegments(l.dir)
	if err != nil || len(segs) == 0 {
		return
	}
	select {
	case l.bg.req <- segs[len(segs)-1].path:
		l.dirty = false
	default: // the previous fsync is still running
	}
}

func (l *Log) fsyncPath(path string) error {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	took := time.Since(start)
	if l.observer != nil {
		l.observer.Fsync(took)
	}
	if took > slowSync {
		l.logger.Warn("wal: slow fsync", "path", path, "took", took)
	}
	return err
}
