// Package testserver starts a real sluice in-process on a free port for
// integration tests.
//
// With SLUICE_TEST_BLOCKS=cold in the environment, every server keeps no
// stream block in memory but the one being appended to: each block sealed
// goes cold (to its block file) before the reply, and is read back from
// the file each time it is used (no block cache). The integration tests
// run in that mode too, so that every command is checked on cold blocks.
package testserver

import (
	"io"
	"log/slog"
	"net"
	"os"
	"testing"

	"sluice/broker"
	"sluice/wal"
)

// Start runs a broker on 127.0.0.1 with a fresh data directory and returns
// its address; the test's cleanup stops it.
func Start(tb testing.TB) string {
	tb.Helper()
	addr, _ := StartDir(tb, tb.TempDir(), wal.EverySec)
	return addr
}

// StartDir runs a broker on dir with the given fsync policy and returns its
// address and a stop function (also registered as cleanup; calling it
// twice is harmless), so tests can restart on the same directory.
func StartDir(tb testing.TB, dir string, fsync wal.Policy) (string, func()) {
	tb.Helper()
	return StartConfig(tb, broker.Config{Dir: dir, Fsync: fsync})
}

// BlocksEnv is the environment variable that selects the cold mode.
const BlocksEnv = "SLUICE_TEST_BLOCKS"

// Cold reports whether servers keep every sealed block cold.
func Cold() bool { return os.Getenv(BlocksEnv) == "cold" }

// StartConfig runs a broker with cfg (Dir, Fsync, RequirePass...) on
// cfg.Addr, by default a free port of 127.0.0.1. Unset Databases and
// Logger get defaults.
func StartConfig(tb testing.TB, cfg broker.Config) (string, func()) {
	tb.Helper()
	_, addr, stop := start(tb, cfg)
	return addr, stop
}

// StartHTTP is StartConfig with the HTTP server on a free port too (or on
// cfg.HTTPAddr); it returns both addresses.
func StartHTTP(tb testing.TB, cfg broker.Config) (addr, httpAddr string, stop func()) {
	tb.Helper()
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	b, addr, stop := start(tb, cfg)
	return addr, b.HTTPAddr(), stop
}

func start(tb testing.TB, cfg broker.Config) (*broker.Broker, string, func()) {
	tb.Helper()
	if cfg.Databases == 0 {
		cfg.Databases = 16
	}
	if Cold() {
		cfg.ColdSync, cfg.BlockCache = true, -1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b, err := broker.Open(cfg)
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		tb.Fatalf("testserver: listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Serve(ln)
	}()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		if err := b.Close(); err != nil {
			tb.Errorf("testserver: close: %v", err)
		}
		<-done
	}
	tb.Cleanup(stop)
	return b, ln.Addr().String(), stop
}

// StartTLS runs a broker with cfg (cfg.TLS names its certificate files)
// on two free ports of 127.0.0.1, one plain and one TLS, and returns both
// addresses and the broker (for ReloadTLS); the test's cleanup stops it.
func StartTLS(tb testing.TB, cfg broker.Config) (addr, tlsAddr string, b *broker.Broker) {
	tb.Helper()
	if cfg.Databases == 0 {
		cfg.Databases = 16
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b, err := broker.Open(cfg)
	if err != nil {
		tb.Fatalf("testserver: %v", err)
	}
	var lns [2]net.Listener
	for i := range lns {
		if lns[i], err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			tb.Fatalf("testserver: listen: %v", err)
		}
	}
	done := make(chan struct{}, 2)
	go func() { b.Serve(lns[0]); done <- struct{}{} }()
	go func() { b.ServeTLS(lns[1]); done <- struct{}{} }()
	tb.Cleanup(func() {
		if err := b.Close(); err != nil {
			tb.Errorf("testserver: close: %v", err)
		}
		<-done
		<-done
	})
	return lns[0].Addr().String(), lns[1].Addr().String(), b
}
