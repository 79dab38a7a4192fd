// Package broker assembles a running sluice: the engine recovered from its
// data directory, the write-ahead log attached to it, and the protocol
// server in front. main and the tests start sluice through it, so both run
// the same wiring.
package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"sluice/blockstore"
	"sluice/commands"
	"sluice/kernel"
	"sluice/resp"
	"sluice/wal"
)

// Config is everything a broker needs to start.
type Config struct {
	Addr        string
	Dir         string
	RequirePass string
	Databases   int
	Fsync       wal.Policy
	Logger      *slog.Logger
	// SnapshotInterval is the longest time between snapshots while
	// anything changes (0: DefaultSnapshotInterval, negative: never).
	SnapshotInterval time.Duration
	// SnapshotAfterChanges starts a snapshot after this many changes, once
	// the log has also grown 8 times as large as the last snapshot
	// (0: DefaultSnapshotAfterChanges, negative: never).
	SnapshotAfterChanges int64
	// BeforeCommand is kernel.Options.BeforeCommand: a seam for tests
	// that inject faults.
	BeforeCommand func(name string)
	// Repair starts even when the log is damaged, cutting it at the
	// damage (every record after it is dropped; .broken copies are kept).
	Repair bool
	// Faults makes the log's writes and fsyncs fail, for tests; nil
	// otherwise.
	Faults *wal.Faults
	// BlockCache is the bytes of stream blocks the block store keeps in
	// memory (0: blockstore.DefaultCacheSize, negative: none).
	BlockCache int64
	// BlockFileSize bounds a block file (0: blockstore.DefaultFileSize).
	BlockFileSize int64
	// ColdSync makes every block sealed by a command cold before its
	// reply, for tests (kernel.Options.ColdSync).
	ColdSync bool
	// BlockFaults makes block writes fail, for tests; nil otherwise.
	BlockFaults *blockstore.Faults
}

// Broker is a running sluice.
type Broker struct {
	cfg    Config
	log    *slog.Logger
	eng    *kernel.Engine
	blocks *blockstore.Store
	wal    *wal.Log
	srv    *resp.Server
	snap   *snapshotter
	pass   atomic.Pointer[string] // requirepass, changed by CONFIG SET
	lock   *os.File
}

// Open recovers the data directory and prepares the server; Serve starts
// answering.
func Open(cfg Config) (*Broker, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("broker: data dir: %w", err)
	}
	absDir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("broker: data dir: %w", err)
	}
	lock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	b := &Broker{cfg: cfg, log: cfg.Logger, lock: lock}
	if b.blocks, err = openBlocks(cfg); err != nil {
		lock.Close()
		return nil, err
	}
	b.eng = kernel.New(kernel.Options{Databases: cfg.Databases, Logger: cfg.Logger,
		Commands: commands.Table(), Params: commands.Params(),
		OnFatal: b.fatal, BeforeCommand: cfg.BeforeCommand, Blocks: b.blocks, ColdSync: cfg.ColdSync})
	// The writer runs during recovery: blocks sealed by replay go cold.
	b.blocks.Start(b.eng.BlocksWritten)
	rec, err := b.recover()
	if err != nil {
		b.blocks.Close()
		lock.Close()
		return nil, err
	}
	l := rec.wal
	b.wal = l
	b.eng.SetLog(l)
	b.snap = newSnapshotter(cfg.Dir, b.eng, l, b.blocks, cfg.Logger, cfg, rec)
	b.eng.SetSaver(b.snap)
	b.addInfo()
	b.addConfig(absDir)
	b.addBlocks()
	go b.snap.run()
	b.eng.StartExpiry(context.Background())
	b.srv = resp.New(resp.Options{
		Engine:      b.eng,
		Durable:     l.Wait,
		RequirePass: b.requirePass,
		Logger:      cfg.Logger,
	})
	b.addLimits()
	return b, nil
}

// Serve answers on ln until Close.
func (b *Broker) Serve(ln net.Listener) error {
	b.addPort(ln)
	b.log.Info("sluice ready", "addr", ln.Addr().String(), "dir", b.cfg.Dir, "appendfsync", b.cfg.Fsync.String())
	err := b.srv.Serve(ln)
	if ferr := b.eng.Fatal(); ferr != nil {
		return fmt.Errorf("broker: stopped after an internal error: %w", ferr)
	}
	return err
}

// ListenAndServe listens on the configured address.
func (b *Broker) ListenAndServe() error {
	ln, err := net.Listen("tcp", b.cfg.Addr)
	if err != nil {
		return fmt.Errorf("broker: listen: %w", err)
	}
	return b.Serve(ln)
}

// Ready is nil while sluice takes writes, and otherwise says why not: the
// log or the block files failed and write commands get MISCONF until they
// recover. For a readiness probe.
func (b *Broker) Ready() error {
	if err := b.wal.Err(); err != nil {
		return fmt.Errorf("broker: write-ahead log failing, writes refused: %w", err)
	}
	if err := b.blocks.Err(); err != nil {
		return fmt.Errorf("broker: block files failing, writes refused: %w", err)
	}
	return nil
}

// Dead is closed when the log cannot recover (records it had acknowledged
// are gone from the disk); Ready says why. The process should stop.
func (b *Broker) Dead() <-chan struct{} { return b.wal.Dead() }

// Close stops serving, lets running commands finish, writes a final
// snapshot (so the next start replays nothing; not after an internal
// error, see fatal), then flushes and fsyncs the log. If the log is
// failing it gets one more chance, else the replies waiting for it end
// with the connection and the log says what it lost.
func (b *Broker) Close() error {
	b.wal.Shutdown()
	err := b.srv.Close()
	b.eng.StopExpiry()
	b.snap.halt()
	var serr error
	if b.eng.Fatal() != nil {
		b.log.Warn("no shutdown snapshot after an internal error; the next start replays the log")
	} else {
		serr = b.snap.final()
	}
	b.eng.SetSaver(nil)
	if err := b.blocks.Close(); err != nil {
		b.log.Error("closing the block files failed", "err", err)
	}
	cerr := b.wal.Close()
	switch {
	case serr != nil && cerr == nil:
		b.log.Error("shutdown snapshot failed; the next start replays the log instead", "err", serr)
	case serr != nil:
		b.log.Error("shutdown snapshot failed, and so did the log (see above)", "err", serr)
	}
	if serr != nil {
		err = errors.Join(err, fmt.Errorf("broker: shutdown snapshot: %w", serr))
	}
	if cerr != nil {
		err = errors.Join(err, fmt.Errorf("broker: close log: %w", cerr))
	}
	b.lock.Close() // releases the data dir lock
	return err
}
