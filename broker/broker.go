// Package broker assembles a running sluice: the engine recovered from its
// data directory, the write-ahead log attached to it, and the protocol
// server in front. main and the tests start sluice through it, so both run
// the same wiring.
package broker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"sluice/acl"
	"sluice/blockstore"
	"sluice/commands"
	"sluice/httpd"
	"sluice/kernel"
	"sluice/resp"
	"sluice/wal"
)

// Config is everything a broker needs to start.
type Config struct {
	Addr string
	Dir  string
	// RequirePass is the default user's password (Redis's requirepass).
	RequirePass string
	// ACLFile holds the users (--aclfile); it is loaded at start, and by
	// ACL LOAD, and written by ACL SAVE. Not together with RequirePass.
	ACLFile   string
	Databases int
	Fsync     wal.Policy
	Logger    *slog.Logger
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
	// Params are CONFIG parameters to set at start (maxmemory, the
	// stream-max-* and group-* defaults), checked as CONFIG SET checks them.
	Params map[string]string
	// MaxClients is maxclients (0: Redis's 10000), reduced at start if the
	// open file limit cannot be raised enough.
	MaxClients int64
	// Timeout closes clients idle for that many seconds (0: never).
	Timeout int64
	// OutputBufferLimit is client-output-buffer-limit, the classes to
	// change from Redis's default ("normal 64mb 16mb 60"); empty: the
	// default.
	OutputBufferLimit string
	// ProtectedModeOff is protected-mode no: clients from other hosts are
	// served even while the default user has no password.
	ProtectedModeOff bool
	// TLS configures the TLS listener.
	TLS TLSConfig
	// HTTPAddr, when set, is where the HTTP server listens: metrics, the
	// web page and its API, health probes (package httpd). It starts
	// before recovery, so that /healthz answers and /readyz says why it is
	// not ready during a long replay.
	HTTPAddr string
	// HTTPTLS, when set, makes the HTTP server speak HTTPS only. Whoever
	// builds the RESP listener's TLS configuration passes the same one
	// here, so both ports present one certificate.
	HTTPTLS *tls.Config
	// MetricsMaxStreams is how many streams get their own series in
	// /metrics, the longest first (0: httpd.DefaultMaxStreams).
	MetricsMaxStreams int
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
	acl    *acl.ACL
	tls    *certs // nil without TLS
	lock   *os.File
	http   *httpd.Server // nil without HTTPAddr
	// serving counts the listeners answering (plain and TLS), for readiness.
	serving atomic.Int32
}

// Open recovers the data directory and prepares the server; Serve starts
// answering.
func Open(cfg Config) (*Broker, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	outLimit, err := commands.OutputBufferLimit(cfg.OutputBufferLimit)
	if err != nil {
		return nil, fmt.Errorf("broker: client-output-buffer-limit %q: %w", cfg.OutputBufferLimit, err)
	}
	users, err := loadUsers(cfg)
	if err != nil {
		return nil, err
	}
	var tlsCerts *certs
	if cfg.TLS.Addr != "" || cfg.TLS.CertFile != "" {
		if tlsCerts, err = newCerts(cfg.TLS); err != nil {
			return nil, fmt.Errorf("broker: %w", err)
		}
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
	b := &Broker{cfg: cfg, log: cfg.Logger, lock: lock, acl: users, tls: tlsCerts}
	if b.blocks, err = openBlocks(cfg); err != nil {
		lock.Close()
		return nil, err
	}
	b.eng = kernel.New(kernel.Options{Databases: cfg.Databases, Logger: cfg.Logger,
		Commands: commands.Table(), Params: commands.Params(),
		OnFatal: b.fatal, BeforeCommand: cfg.BeforeCommand, Blocks: b.blocks, ColdSync: cfg.ColdSync})
	for name, value := range cfg.Params {
		if err := b.eng.SetParam(name, value); err != nil {
			b.blocks.Close()
			lock.Close()
			return nil, fmt.Errorf("broker: %w", err)
		}
	}
	logMetrics, err := b.startHTTP()
	if err != nil {
		b.blocks.Close()
		lock.Close()
		return nil, err
	}
	// The writer runs during recovery: blocks sealed by replay go cold.
	b.blocks.Start(b.eng.BlocksWritten)
	rec, err := b.recover(logMetrics)
	if err != nil {
		b.stopHTTP()
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
		Engine:  b.eng,
		Durable: l.Wait,
		ACL:     users,
		Logger:  cfg.Logger,
	})
	b.addLimits(outLimit)
	b.addProtectedMode()
	b.addTLSConfig()
	if b.http != nil {
		b.http.Recovered()
	}
	return b, nil
}

// Serve answers on ln until Close.
func (b *Broker) Serve(ln net.Listener) error {
	b.addPort("port", ln)
	return b.serve(ln, "sluice ready")
}

// ServeTLS answers TLS clients on ln until Close; the broker must have
// been opened with a TLS certificate.
func (b *Broker) ServeTLS(ln net.Listener) error {
	if b.tls == nil {
		ln.Close()
		return errors.New("broker: no TLS certificate configured")
	}
	b.addPort("tls-port", ln)
	return b.serve(tls.NewListener(ln, b.tls.listener()), "sluice ready for TLS")
}

func (b *Broker) serve(ln net.Listener, ready string) error {
	b.warnIfExposed(ln.Addr())
	b.log.Info(ready, "addr", ln.Addr().String(), "dir", b.cfg.Dir, "appendfsync", b.cfg.Fsync.String())
	b.serving.Add(1)
	err := b.srv.Serve(ln)
	b.serving.Add(-1)
	if ferr := b.eng.Fatal(); ferr != nil {
		return fmt.Errorf("broker: stopped after an internal error: %w", ferr)
	}
	return err
}

// ListenAndServe listens on the configured addresses, plain (Addr) and
// TLS (TLS.Addr), either of which may be empty, and serves until Close.
func (b *Broker) ListenAndServe() error {
	type listener struct {
		addr  string
		serve func(net.Listener) error
	}
	var todo []listener
	if b.cfg.Addr != "" {
		todo = append(todo, listener{b.cfg.Addr, b.Serve})
	}
	if b.cfg.TLS.Addr != "" {
		todo = append(todo, listener{b.cfg.TLS.Addr, b.ServeTLS})
	}
	if len(todo) == 0 {
		return errors.New("broker: no address to listen on (--addr and --tls-addr are both empty)")
	}
	lns := make([]net.Listener, len(todo))
	for i, l := range todo {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			for _, prev := range lns[:i] {
				prev.Close()
			}
			return fmt.Errorf("broker: listen: %w", err)
		}
		lns[i] = ln
	}
	errs := make(chan error, len(todo))
	for i, l := range todo {
		go func() { errs <- l.serve(lns[i]) }()
	}
	var err error
	for range todo {
		err = errors.Join(err, <-errs)
	}
	return err
}

// ReloadTLS loads the TLS certificate, key and CA files again (SIGHUP):
// new connections use them, established ones go on.
func (b *Broker) ReloadTLS() error {
	if b.tls == nil {
		return errors.New("broker: TLS is not configured")
	}
	if err := b.tls.reload(); err != nil {
		return fmt.Errorf("broker: reload TLS: %w", err)
	}
	return nil
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
	b.stopHTTP() // first: the page can run a write (redrive)
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
