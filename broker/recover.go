package broker

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"sluice/snapshot"
	"sluice/wal"
)

// recovered is what recovery found: the open log and the snapshots the
// snapshotter takes over.
type recovered struct {
	wal          *wal.Log
	newest, prev uint64        // LSNs of the loaded snapshot and the one before it
	size         int64         // the loaded snapshot's size
	refs         snapshot.Refs // the block files it references
}

// recover loads the newest snapshot that reads back intact into the engine,
// then opens the log and replays what follows it. A damaged snapshot is set
// aside and the one before it used, whose log goes back far enough; a log
// that does not reach back to the snapshot is refused.
func (b *Broker) recover(obs wal.Observer) (*recovered, error) {
	var rec recovered
	if _, err := snapshot.RemoveOlder(b.cfg.Dir, 0); err != nil {
		return nil, err
	}
	files, err := snapshot.List(b.cfg.Dir)
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		start := time.Now()
		st, info, err := snapshot.Load(f.Path)
		if err != nil {
			b.log.Error("SNAPSHOT DAMAGED: setting it aside and recovering from the one before it",
				"file", f.Path, "err", err)
			if err := snapshot.MarkBroken(f.Path); err != nil {
				return nil, err
			}
			continue
		}
		if err := b.eng.Restore(st); err != nil {
			return nil, fmt.Errorf("broker: %s: %w", f.Path, err)
		}
		rec.newest, rec.size, rec.refs = f.LSN, info.Size, info.Refs
		if err := b.checkColdTails(); err != nil {
			return nil, err
		}
		if i+1 < len(files) {
			rec.prev = files[i+1].LSN
		}
		b.log.Info("snapshot loaded", "file", filepath.Base(f.Path), "lsn", info.LSN, "keys", info.Keys,
			"stream_entries", info.Entries, "bytes", info.Size, "took", time.Since(start).Round(time.Millisecond))
		break
	}
	l, err := wal.Open(wal.Options{Dir: filepath.Join(b.cfg.Dir, "wal"), Fsync: b.cfg.Fsync, Logger: b.log,
		Covered: rec.newest, Repair: b.cfg.Repair, Faults: b.cfg.Faults, Observer: obs})
	if err != nil {
		return nil, damageHint(fmt.Errorf("broker: %w", err))
	}
	if err := b.replay(l, rec.newest); err != nil {
		l.Close()
		return nil, damageHint(err)
	}
	rec.wal = l
	return &rec, nil
}

// damageHint tells the operator what can be done about a damaged log.
func damageHint(err error) error {
	if !errors.Is(err, wal.ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w; refusing to start: `sluice check` shows the damage, and --repair cuts the log at it, dropping every record after it", err)
}

// replay applies the log after the snapshot at lsn.
func (b *Broker) replay(l *wal.Log, lsn uint64) error {
	if first := l.FirstLSN(); first > lsn+1 {
		return fmt.Errorf("broker: the log starts at LSN %d but the snapshot ends at LSN %d: records %d-%d are missing, refusing to start (run `sluice check`)",
			first, lsn, lsn+1, first-1)
	}
	if lsn > l.LastLSN() {
		// The log lost its end (an OS crash under everysec or no) and the
		// snapshot covers past it: continue numbering after the snapshot.
		b.log.Warn("the log ends before the snapshot; continuing after the snapshot", "log_last", l.LastLSN(), "snapshot", lsn)
		if err := l.TruncateFront(lsn); err != nil {
			return fmt.Errorf("broker: %w", err)
		}
	}
	start := time.Now()
	last := l.LastLSN()
	var n int
	tick := start
	err := l.Replay(lsn, func(r wal.Record) error {
		n++
		if n%1024 == 0 && time.Since(tick) >= time.Second {
			tick = time.Now()
			b.log.Info("replaying log", "records", n, "lsn", r.LSN, "last", last,
				"records_per_sec", int(float64(n)/tick.Sub(start).Seconds()))
		}
		return b.eng.Replay(r.LSN, r.Type, r.Body)
	})
	if err != nil {
		return fmt.Errorf("broker: replay: %w", err)
	}
	b.log.Info("recovered", "records_replayed", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
