package httpd_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/wal"
)

// families are every family /metrics must show once streams, groups,
// consumers, dead letters, a blocked client, an error and a snapshot exist.
var families = []string{
	"sluice_stream_length", "sluice_stream_entries_added_total", "sluice_stream_bytes",
	"sluice_stream_first_entry_age_seconds", "sluice_stream_last_entry_age_seconds", "sluice_stream_groups",
	"sluice_group_lag", "sluice_group_pending", "sluice_group_consumers", "sluice_group_oldest_pending_age_seconds",
	"sluice_group_delivered_total", "sluice_group_acked_total", "sluice_group_dead_lettered_total",
	"sluice_group_dead_letter_failures_total", "sluice_group_held",
	"sluice_keys", "sluice_streams", "sluice_commands_total", "sluice_command_failed_total",
	"sluice_command_rejected_total", "sluice_command_duration_seconds_total", "sluice_errors_total",
	"sluice_connected_clients", "sluice_blocked_clients",
	"sluice_log_bytes", "sluice_log_last_lsn", "sluice_log_durable_lsn", "sluice_log_write_failing",
	"sluice_log_fsync_duration_seconds", "sluice_log_commit_batch_records", "sluice_log_commit_batch_bytes",
	"sluice_snapshot_duration_seconds", "sluice_snapshot_age_seconds", "sluice_snapshot_last_success_timestamp_seconds",
	"sluice_snapshot_bytes", "sluice_snapshot_last_failed", "sluice_snapshot_in_progress",
	"sluice_used_memory_bytes", "sluice_maxmemory_bytes", "sluice_ready", "sluice_scrape_lock_hold_seconds",
	"go_goroutines", "process_resident_memory_bytes",
}

// TestMetricsMatchXINFO runs producers and a consumer group while
// /metrics is scraped, then checks that every family is there and that
// each figure is what XINFO, XPENDING and INFO say (or, for delivered
// and acked, what the consumers counted).
func TestMetricsMatchXINFO(t *testing.T) {
	s := start(t, broker.Config{Fsync: wal.Always})
	ctx := context.Background()
	s.do(t, "XGROUP", "CREATE", "orders", "billing", "$", "MKSTREAM")
	s.do(t, "XGROUP", "CREATE", "orders", "shipping", "$")
	s.do(t, "XGROUP", "CONFIG", "orders", "shipping", "MAXDELIVER", "1")
	s.do(t, "XGROUP", "CREATE", "payments", "audit", "$", "MKSTREAM")

	// Load: two producers per stream, one consumer of billing acking every
	// other entry, and a scraper, all at once.
	const perProducer = 1000
	streams := []string{"orders", "payments", "events"}
	scrapeErr := make(chan error, 1)
	done := make(chan struct{})
	var scrapes int
	var scraper sync.WaitGroup
	scraper.Add(1)
	go func() {
		defer scraper.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := scrapeOnce(s.http + "/metrics"); err != nil {
				select {
				case scrapeErr <- err:
				default:
				}
				return
			}
			scrapes++
		}
	}()
	var producers sync.WaitGroup
	for _, key := range streams {
		for p := range 2 {
			producers.Add(1)
			go func() {
				defer producers.Done()
				for i := 0; i < perProducer; i += 50 {
					pipe := s.rdb.Pipeline()
					for j := range 50 {
						pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []any{"p", p, "n", i + j}})
					}
					if _, err := pipe.Exec(ctx); err != nil {
						t.Errorf("XADD %s: %v", key, err)
						return
					}
				}
			}()
		}
	}
	const toRead = 1500
	delivered, acked := 0, 0
	for delivered < toRead {
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "billing", Consumer: "c1",
			Streams: []string{"orders", ">"}, Count: 20, Block: 2 * time.Second}).Result()
		if err != nil {
			t.Fatalf("XREADGROUP: %v", err)
		}
		for _, m := range res[0].Messages {
			if delivered%2 == 0 {
				if err := s.rdb.XAck(ctx, "orders", "billing", m.ID).Err(); err != nil {
					t.Fatal(err)
				}
				acked++
			}
			delivered++
		}
	}
	producers.Wait()
	close(done)
	scraper.Wait()
	select {
	case err := <-scrapeErr:
		t.Fatalf("scrape under load: %v", err)
	default:
	}
	t.Logf("%d scrapes under load", scrapes)

	// Dead letters: shipping hands out 10, then a claim of 3 passes MAXDELIVER 1.
	if n := len(s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "shipping", Consumer: "alice",
		Streams: []string{"orders", ">"}, Count: 10}).Val()[0].Messages); n != 10 {
		t.Fatalf("shipping read %d", n)
	}
	s.do(t, "XAUTOCLAIM", "orders", "shipping", "bob", "0", "0", "COUNT", "3")
	// An error, counted by code and by command.
	for range 3 {
		if err := s.rdb.Do(ctx, "XGROUP", "CREATE", "orders", "billing", "0").Err(); err == nil || !strings.HasPrefix(err.Error(), "BUSYGROUP") {
			t.Fatalf("XGROUP CREATE twice: %v", err)
		}
	}
	// A blocked client.
	blocker := redis.NewClient(&redis.Options{Addr: s.addr, Protocol: 2, MaxRetries: -1})
	defer blocker.Close()
	s.do(t, "XGROUP", "CREATE", "waiting", "w", "$", "MKSTREAM")
	go blocker.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "w", Consumer: "idle", Streams: []string{"waiting", ">"}, Block: 0})
	until(t, "a client blocked", func() bool { return infoInt(t, s, "clients", "blocked_clients") == 1 })
	s.do(t, "SAVE")

	before := time.Now()
	m := s.scrape(t)
	after := time.Now()
	for _, f := range families {
		if m.series(f) == 0 {
			t.Errorf("no %s", f)
		}
	}

	for _, key := range []string{"orders", "payments", "events", "orders:dlq", "waiting"} {
		x := infoMap(t, s.do(t, "XINFO", "STREAM", key))
		l := []string{"db", "0", "stream", key}
		eq(t, key+" length", m.must(t, "sluice_stream_length", l...), x["length"])
		eq(t, key+" entries added", m.must(t, "sluice_stream_entries_added_total", l...), x["entries-added"])
		eq(t, key+" groups", m.must(t, "sluice_stream_groups", l...), x["groups"])
		// Blocks turn cold in the background: the tiers' sum is what holds.
		bytes := m.must(t, "sluice_stream_bytes", append(l, "tier", "hot")...) + m.must(t, "sluice_stream_bytes", append(l, "tier", "cold")...)
		eq(t, key+" bytes", bytes, x["hot-bytes"].(int64)+x["cold-bytes"].(int64))
		if bytes <= 0 && x["length"] != int64(0) {
			t.Errorf("%s: no bytes", key)
		}
		if first, ok := x["first-entry"].([]any); ok {
			within(t, key+" first entry age", m.must(t, "sluice_stream_first_entry_age_seconds", l...), idMs(t, first[0].(string)), before, after)
		} else if _, ok := m.value("sluice_stream_first_entry_age_seconds", l...); ok {
			t.Errorf("%s is empty but has a first entry age", key)
		}
		if last := x["last-generated-id"].(string); last != "0-0" {
			within(t, key+" last entry age", m.must(t, "sluice_stream_last_entry_age_seconds", l...), idMs(t, last), before, after)
		}
		for _, gv := range s.do(t, "XINFO", "GROUPS", key).([]any) {
			g := infoMap(t, gv)
			name := g["name"].(string)
			gl := append(l, "group", name)
			what := key + "/" + name
			eq(t, what+" pending", m.must(t, "sluice_group_pending", gl...), g["pending"])
			eq(t, what+" consumers", m.must(t, "sluice_group_consumers", gl...), g["consumers"])
			eq(t, what+" lag", m.must(t, "sluice_group_lag", gl...), g["lag"])
			dl, dlf := any(int64(0)), any(int64(0))
			if v, ok := g["dead-lettered"]; ok {
				dl, dlf = v, g["dead-letter-failures"]
			}
			eq(t, what+" dead-lettered", m.must(t, "sluice_group_dead_lettered_total", gl...), dl)
			eq(t, what+" dead-letter failures", m.must(t, "sluice_group_dead_letter_failures_total", gl...), dlf)
			p := s.do(t, "XPENDING", key, name).([]any)
			if p[0].(int64) > 0 {
				within(t, what+" oldest pending age", m.must(t, "sluice_group_oldest_pending_age_seconds", gl...), idMs(t, p[1].(string)), before, after)
			} else if _, ok := m.value("sluice_group_oldest_pending_age_seconds", gl...); ok {
				t.Errorf("%s: nothing pending but an oldest pending age", what)
			}
		}
	}
	billing := []string{"stream", "orders", "group", "billing"}
	eq(t, "billing delivered", m.must(t, "sluice_group_delivered_total", billing...), int64(delivered))
	eq(t, "billing acked", m.must(t, "sluice_group_acked_total", billing...), int64(acked))
	shipping := []string{"stream", "orders", "group", "shipping"}
	eq(t, "shipping delivered", m.must(t, "sluice_group_delivered_total", shipping...), int64(10))
	eq(t, "shipping dead-lettered", m.must(t, "sluice_group_dead_lettered_total", shipping...), int64(3))

	// Server figures against INFO.
	eq(t, "xadd calls", m.must(t, "sluice_commands_total", "command", "xadd"), cmdstat(t, s, "xadd", "calls"))
	eq(t, "xgroup|create failed", m.must(t, "sluice_command_failed_total", "command", "xgroup|create"), cmdstat(t, s, "xgroup|create", "failed_calls"))
	eq(t, "BUSYGROUP errors", m.must(t, "sluice_errors_total", "code", "BUSYGROUP"), infoInt(t, s, "errorstats", "errorstat_BUSYGROUP"))
	eq(t, "connected clients", m.must(t, "sluice_connected_clients"), infoInt(t, s, "clients", "connected_clients"))
	eq(t, "blocked clients", m.must(t, "sluice_blocked_clients"), int64(1))
	eq(t, "keys", m.must(t, "sluice_keys"), int64(5))
	eq(t, "log bytes", m.must(t, "sluice_log_bytes"), infoInt(t, s, "persistence", "aof_current_size"))
	lastLSN := infoInt(t, s, "persistence", "sluice_log_last_lsn")
	eq(t, "log last LSN", m.must(t, "sluice_log_last_lsn"), lastLSN)
	eq(t, "snapshot bytes", m.must(t, "sluice_snapshot_bytes"), infoInt(t, s, "persistence", "sluice_snapshot_size"))
	eq(t, "ready", m.must(t, "sluice_ready"), int64(1))
	eq(t, "log failing", m.must(t, "sluice_log_write_failing"), int64(0))
	if v := m.must(t, "sluice_snapshot_duration_seconds"); v <= 0 {
		t.Errorf("snapshot duration %v after SAVE", v)
	}
	// Every record since the start went out in some batch; under always,
	// every batch was fsynced.
	batches := m.fams["sluice_log_commit_batch_records"].Metric[0].Histogram
	if got := int64(batches.GetSampleSum()); got != lastLSN {
		t.Errorf("batches carried %d records, the log has %d", got, lastLSN)
	}
	if f := m.must(t, "sluice_log_fsync_duration_seconds"); f < float64(batches.GetSampleCount()) {
		t.Errorf("%v fsyncs for %d batches under appendfsync always", f, batches.GetSampleCount())
	}
	if m.must(t, "sluice_used_memory_bytes") <= 0 {
		t.Error("no used memory") // sampled when the engine starts, then every 100 ms
	}
}

// eq compares a metric with a figure from a reply (an integer, or nil
// where the metric must be absent: a test of that is separate).
func eq(t testing.TB, what string, got float64, want any) {
	t.Helper()
	w, ok := want.(int64)
	if !ok {
		t.Errorf("%s: reply %v (%T) is not an integer", what, want, want)
		return
	}
	if got != float64(w) {
		t.Errorf("%s = %v, want %d", what, got, w)
	}
}

// infoInt reads an integer INFO field; for errorstats and commandstats
// the count= of a line.
func infoInt(t testing.TB, s *server, section, field string) int64 {
	t.Helper()
	info := s.do(t, "INFO", section).(string)
	for _, line := range strings.Split(info, "\r\n") {
		v, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		v = strings.TrimPrefix(v, "count=")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("INFO %s %s: %q", section, field, v)
		}
		return n
	}
	t.Fatalf("INFO %s has no %s:\n%s", section, field, info)
	return 0
}

// cmdstat reads one counter of a command's INFO commandstats line.
func cmdstat(t testing.TB, s *server, name, counter string) int64 {
	t.Helper()
	info := s.do(t, "INFO", "commandstats").(string)
	for _, line := range strings.Split(info, "\r\n") {
		rest, ok := strings.CutPrefix(line, "cmdstat_"+name+":")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(kv, counter+"="); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
	}
	t.Fatalf("no cmdstat_%s %s in:\n%s", name, counter, info)
	return 0
}

// scrapeOnce fetches and parses /metrics, for the scraper goroutine.
func scrapeOnce(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return err
	}
	if fams["sluice_stream_length"] == nil && fams["sluice_commands_total"] == nil {
		return fmt.Errorf("no sluice families")
	}
	return nil
}
