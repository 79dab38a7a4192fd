package wal

import "fmt"

// Wait blocks until every record <= lsn is written (EverySec, No) or written
// and fsynced (Always). A record published before a failure stays
// published, so Wait returns at once for it. While the log is failing, Wait
// keeps waiting for the recovery to write the record; after Shutdown or
// Close it returns the failure instead: never nil for a record not written.
func (l *Log) Wait(lsn uint64) error { return l.wait(lsn, false) }

// WaitOrFail is Wait for a caller that must not wait for a recovery (a
// snapshot taken under the engine lock): while the log is failing it
// returns the failure at once.
func (l *Log) WaitOrFail(lsn uint64) error { return l.wait(lsn, true) }

func (l *Log) wait(lsn uint64, failFast bool) error {
	if l.published.Load() >= lsn {
		return nil
	}
	if last := l.lastLSN.Load(); lsn > last {
		return fmt.Errorf("wal: wait for LSN %d beyond last assigned %d", lsn, last)
	}
	l.pubMu.Lock()
	defer l.pubMu.Unlock()
	for {
		if l.published.Load() >= lsn {
			return nil
		}
		f := l.failure.Load()
		switch {
		case l.stopped && f != nil:
			return fmt.Errorf("wal: LSN %d was never written: %w", lsn, f.err)
		case l.stopped:
			return ErrClosed
		case f != nil && (failFast || l.quitting):
			return f.err
		}
		l.pubCond.Wait()
	}
}

// Shutdown starts a shutdown, before the callers of Wait are stopped: a
// failed log gets one more recovery attempt now, and from then on Wait
// returns the failure rather than waiting for a recovery that may never
// come, so that the replies it holds end (with an error) and the server can
// stop. Append keeps taking records until Close, which makes a last attempt.
func (l *Log) Shutdown() {
	_ = l.do(func() error { // ErrClosed only: Close ran first
		if l.failure.Load() != nil {
			_ = l.recover() // a failure is reported by Wait and Close
		}
		return nil
	})
	l.pubMu.Lock()
	l.quitting = true
	l.pubCond.Broadcast()
	l.pubMu.Unlock()
}
