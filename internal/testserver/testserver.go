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

// StartConfig runs a broker with cfg (Dir, Fsync, RequirePass...); Addr is
// ignored and a free port used. Unset Databases and Logger get defaults.
func StartConfig(tb testing.TB, cfg broker.Config) (string, func()) {
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
	return ln.Addr().String(), stop
}
