package httpd_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"sluice/broker"
	"sluice/commands"
	"sluice/httpd"
	"sluice/kernel"
	"sluice/wal"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Before the broker has loaded its data, /healthz answers, /readyz says
// it is recovering and the rest waits with 503; a panicking handler gets
// a 500 and the server goes on.
func TestBeforeRecoveryAndPanics(t *testing.T) {
	eng := kernel.New(kernel.Options{Commands: commands.Table(), Params: commands.Params()})
	h, err := httpd.Start(httpd.Config{Addr: "127.0.0.1:0", Engine: eng, Logger: quiet(),
		Stats: func() httpd.Stats { panic("stats exploded") }})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+h.Addr()+path, nil)
		return send(t, req)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "recovering") {
		t.Fatalf("/readyz while recovering: %d %s", code, body)
	}
	for _, p := range []string{"/metrics", "/api/v1/streams"} {
		if code, _ := get(p); code != 503 {
			t.Fatalf("%s while recovering: %d", p, code)
		}
	}
	h.Recovered()
	if code, _ := get("/readyz"); code != 200 {
		t.Fatalf("/readyz once recovered: %d", code)
	}
	if code, _ := get("/api/v1/overview"); code != 500 {
		t.Fatalf("a panicking handler: %d", code)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz after a panic: %d", code)
	}
}

// While the log refuses writes, /readyz is 503 with the reason and the
// metrics say so; once the disk takes writes again it is ready.
func TestReadyWhileLogFails(t *testing.T) {
	var failing atomic.Bool
	s := start(t, broker.Config{Fsync: wal.Always, Faults: &wal.Faults{Write: func(write func() error) error {
		if failing.Load() {
			return syscall.ENOSPC
		}
		return write()
	}}})
	if code, body := s.get(t, "/readyz"); code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	failing.Store(true)
	go s.rdb.Do(t.Context(), "XADD", "s", "*", "f", "v") // held until the log recovers
	until(t, "/readyz fails", func() bool { code, _ := s.get(t, "/readyz"); return code == 503 })
	if _, body := s.get(t, "/readyz"); !strings.Contains(body, "no space left on device") {
		t.Fatalf("/readyz: %s", body)
	}
	m := s.scrape(t)
	if m.must(t, "sluice_log_write_failing") != 1 || m.must(t, "sluice_ready") != 0 {
		t.Fatal("metrics do not show the failing log")
	}
	failing.Store(false)
	until(t, "/readyz recovers", func() bool { code, _ := s.get(t, "/readyz"); return code == 200 })
}
