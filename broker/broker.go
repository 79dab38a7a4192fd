// Package broker assembles a running sluice: the engine recovered from its
// data directory, the write-ahead log attached to it, and the protocol
// server in front. main and the tests start sluice through it, so both run
// the same wiring.
package broker

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"sluice/engine"
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
}

// Broker is a running sluice.
type Broker struct {
	cfg Config
	log *slog.Logger
	eng *engine.Engine
	wal *wal.Log
	srv *resp.Server
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
	b := &Broker{cfg: cfg, log: cfg.Logger}
	b.eng = engine.New(engine.Options{Databases: cfg.Databases, Logger: cfg.Logger})
	start := time.Now()
	l, err := wal.Open(wal.Options{Dir: filepath.Join(cfg.Dir, "wal"), Fsync: cfg.Fsync, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("broker: %w", err)
	}
	var n int
	if err := l.Replay(0, func(r wal.Record) error {
		n++
		return b.eng.Replay(r.LSN, r.Type, r.Body)
	}); err != nil {
		l.Close()
		return nil, fmt.Errorf("broker: replay: %w", err)
	}
	b.log.Info("recovered", "records", n, "took", time.Since(start).Round(time.Millisecond))
	b.wal = l
	b.eng.SetLog(l)
	b.srv = resp.New(resp.Options{
		Engine:      b.eng,
		Durable:     l.Wait,
		RequirePass: func() string { return cfg.RequirePass },
		Logger:      cfg.Logger,
	})
	return b, nil
}

// Serve answers on ln until Close.
func (b *Broker) Serve(ln net.Listener) error {
	b.log.Info("sluice ready", "addr", ln.Addr().String(), "dir", b.cfg.Dir, "appendfsync", b.cfg.Fsync.String())
	return b.srv.Serve(ln)
}

// ListenAndServe listens on the configured address.
func (b *Broker) ListenAndServe() error {
	ln, err := net.Listen("tcp", b.cfg.Addr)
	if err != nil {
		return fmt.Errorf("broker: listen: %w", err)
	}
	return b.Serve(ln)
}

// Close stops serving, lets running commands finish, then flushes and
// fsyncs the log.
func (b *Broker) Close() error {
	err := b.srv.Close()
	if cerr := b.wal.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("broker: close log: %w", cerr))
	}
	return err
}
