package httpd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
)

// server is a broker running in-process with its HTTP server.
type server struct {
	addr, http string
	pass       string
	rdb        *redis.Client
	stop       func()
}

// start runs a broker with HTTP on free ports (cfg.Fsync's zero value is
// wal.Always); snapshots only on SAVE, so that what the log and snapshot
// figures show stays put.
func start(t testing.TB, cfg broker.Config) *server {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.SnapshotInterval, cfg.SnapshotAfterChanges = -1, -1
	addr, httpAddr, stop := testserver.StartHTTP(t, cfg)
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: cfg.RequirePass, Protocol: 2, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	s := &server{addr: addr, http: "http://" + httpAddr, pass: cfg.RequirePass, rdb: rdb, stop: stop}
	// Serve starts on its own goroutine: ready once it accepts.
	until(t, "ready", func() bool { code, _ := s.get(t, "/readyz"); return code == 200 })
	return s
}

// do runs a command, failing the test on an error.
func (s *server) do(t testing.TB, args ...any) any {
	t.Helper()
	v, err := s.rdb.Do(context.Background(), args...).Result()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return v
}

// get fetches path with the server's password (if any) and returns the
// status and body.
func (s *server) get(t testing.TB, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.http+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.pass != "" {
		req.SetBasicAuth("default", s.pass)
	}
	return send(t, req)
}

func send(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// getJSON fetches path and decodes its JSON body into v.
func (s *server) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	code, body := s.get(t, path)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// scrape reads /metrics, checking it parses.
func (s *server) scrape(t testing.TB) metrics {
	t.Helper()
	code, body := s.get(t, "/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: %d %s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return metrics{fams: fams, size: len(body)}
}

type metrics struct {
	fams map[string]*dto.MetricFamily
	size int
}

// series counts the series of a family.
func (m metrics) series(name string) int {
	if f := m.fams[name]; f != nil {
		return len(f.Metric)
	}
	return 0
}

// value is the value of the series of name whose labels include labels
// (name, value, ...); ok is false when there is none.
func (m metrics) value(name string, labels ...string) (float64, bool) {
	f := m.fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, mt := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range mt.Label {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case mt.Gauge != nil:
			return mt.Gauge.GetValue(), true
		case mt.Counter != nil:
			return mt.Counter.GetValue(), true
		case mt.Histogram != nil:
			return float64(mt.Histogram.GetSampleCount()), true
		case mt.Untyped != nil:
			return mt.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// must is value that fails the test when the series is missing.
func (m metrics) must(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	v, ok := m.value(name, labels...)
	if !ok {
		t.Fatalf("no series %s%v", name, labels)
	}
	return v
}

// infoMap reads an XINFO reply (RESP2: a flat list) into a map.
func infoMap(t testing.TB, v any) map[string]any {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list: %v", v)
	}
	m := map[string]any{}
	for i := 0; i+1 < len(list); i += 2 {
		m[fmt.Sprint(list[i])] = list[i+1]
	}
	return m
}

// idMs is the ms part of a stream ID.
func idMs(t testing.TB, id string) int64 {
	t.Helper()
	var ms, seq int64
	if _, err := fmt.Sscanf(id, "%d-%d", &ms, &seq); err != nil {
		t.Fatalf("ID %q: %v", id, err)
	}
	return ms
}

// within checks that an age in seconds, read at some moment between
// before and after, is the age of ms.
func within(t testing.TB, what string, got float64, ms int64, before, after time.Time) {
	t.Helper()
	lo, hi := float64(before.UnixMilli()-ms)/1000, float64(after.UnixMilli()-ms)/1000
	if got < lo-0.001 || got > hi+0.001 {
		t.Errorf("%s = %v s, want between %v and %v", what, got, lo, hi)
	}
}

// until polls cond every few ms for at most 10 s (a bound, not a timing).
func until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
