package bench

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/internal/testserver"
)

// benchJSON runs a workload with --json against addr and returns its rows.
func benchJSON(t *testing.T, addr string, args ...string) []jsonRow {
	t.Helper()
	out, err := runCLI(t, append(args, "--addr", addr, "--json", "--quiet")...)
	if err != nil {
		t.Fatalf("bench %s: %v", strings.Join(args, " "), err)
	}
	var rows []jsonRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("bench %s printed no JSON rows: %v\n%s", strings.Join(args, " "), err, out)
	}
	return rows
}

func TestWorkloadsAgainstServer(t *testing.T) {
	addr := testserver.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2})
	defer rdb.Close()
	ctx := context.Background()
	pending := func(t *testing.T, key, group string) int64 {
		t.Helper()
		p, err := rdb.XPending(ctx, key, group).Result()
		if err != nil {
			t.Fatalf("XPENDING %s %s: %v", key, group, err)
		}
		return p.Count
	}

	for _, tc := range []struct {
		args  []string
		want  map[string]int64 // ops per row
		check func(t *testing.T, key string)
	}{
		{
			args: []string{"produce", "-n", "2000", "-c", "4", "--streams", "3"},
			want: map[string]int64{"produce": 2000},
			check: func(t *testing.T, key string) {
				var n int64
				for i := range 3 {
					n += rdb.XLen(ctx, key+":"+strconv.Itoa(i)).Val()
				}
				if n != 2000 {
					t.Errorf("XLEN over the 3 streams = %d, want 2000", n)
				}
			},
		},
		{
			args: []string{"produce", "-n", "2000", "-c", "4", "-P", "16", "--maxlen", "100"},
			want: map[string]int64{"produce": 2000},
			check: func(t *testing.T, key string) {
				if n := rdb.XLen(ctx, key).Val(); n < 100 || n >= 2000 {
					t.Errorf("XLEN with MAXLEN ~ 100 = %d, want trimmed to about 100", n)
				}
			},
		},
		{
			args: []string{"consume", "-n", "2000", "-c", "4", "--count", "50"},
			want: map[string]int64{"consume-read": 2000, "consume-ack": 2000},
			check: func(t *testing.T, key string) {
				if p := pending(t, key, "g"); p != 0 {
					t.Errorf("%d entries still pending", p)
				}
			},
		},
		{
			args: []string{"e2e", "-n", "2000", "--producers", "2", "--consumers", "3", "-P", "10"},
			want: map[string]int64{"e2e": 2000},
			check: func(t *testing.T, key string) {
				if n, p := rdb.XLen(ctx, key).Val(), pending(t, key, "g"); n != 2000 || p != 0 {
					t.Errorf("XLEN = %d and %d pending, want 2000 and 0", n, p)
				}
			},
		},
		{
			args: []string{"fanout", "-n", "2000", "--groups", "3", "--producers", "2", "-P", "10"},
			want: map[string]int64{"fanout": 6000},
			check: func(t *testing.T, key string) {
				for i := range 3 {
					if p := pending(t, key, "g"+strconv.Itoa(i)); p != 0 {
						t.Errorf("group g%d has %d pending", i, p)
					}
				}
			},
		},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			key := "t:" + tc.args[0]
			rows := benchJSON(t, addr, append(tc.args, "--key", key)...)
			if len(rows) != len(tc.want) {
				t.Fatalf("got %d rows, want %d: %+v", len(rows), len(tc.want), rows)
			}
			for _, r := range rows {
				if r.Ops != tc.want[r.Workload] || r.Errors != 0 {
					t.Errorf("row %s: ops %d, errors %d; want ops %d, no errors", r.Workload, r.Ops, r.Errors, tc.want[r.Workload])
				}
				if r.OpsPerSec <= 0 || r.P50 <= 0 || r.P50 > r.P99 || r.P99 > r.Max {
					t.Errorf("row %s: implausible throughput or latency: %+v", r.Workload, r)
				}
			}
			tc.check(t, key)
		})
	}
}

func TestE2EPacedByRate(t *testing.T) {
	addr := testserver.Start(t)
	// 1000 messages at 4000/s take about 250 ms; unpaced they would take a few.
	rows := benchJSON(t, addr, "e2e", "-n", "1000", "--rate", "4000", "-P", "10", "--key", "t:rate")
	if r := rows[0]; r.Ops != 1000 || r.ElapsedS < 0.2 || r.OpsPerSec > 4400 {
		t.Errorf("paced e2e: %d msgs in %.3fs (%.0f/s), want 1000 at about 4000/s", r.Ops, r.ElapsedS, r.OpsPerSec)
	}
}

func TestE2EDurationWithoutTotalRunsUntilTheDeadline(t *testing.T) {
	addr := testserver.Start(t)
	start := time.Now()
	rows := benchJSON(t, addr, "e2e", "--duration", "400ms", "--rate", "2000", "-P", "10", "--key", "t:duration")
	took := time.Since(start)
	// The default -n (100000) would need 50 s at 2000/s: --duration alone ends the run.
	if r := rows[0]; took > 3*time.Second || r.Ops < 400 || r.Ops > 1000 || r.Errors != 0 {
		t.Errorf("e2e --duration 400ms at 2000/s: %d msgs, %d errors in %v", r.Ops, r.Errors, took)
	}
}
