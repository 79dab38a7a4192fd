package httpd_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sluice/broker"
	"sluice/wal"
)

// fill makes n streams k0..k(n-1), stream i with 1 + i%7 entries, and a
// group on every tenth, through pipelines.
func fill(t testing.TB, s *server, n int) (entries int64) {
	t.Helper()
	ctx := context.Background()
	for lo := 0; lo < n; lo += 1000 {
		pipe := s.rdb.Pipeline()
		for i := lo; i < min(lo+1000, n); i++ {
			key := fmt.Sprint("k", i)
			for j := range 1 + i%7 {
				pipe.Do(ctx, "XADD", key, fmt.Sprintf("%d-1", j+1), "f", "v")
				entries++
			}
			if i%10 == 0 {
				pipe.Do(ctx, "XGROUP", "CREATE", key, "g", "0")
			}
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return entries
}

// With 20,000 streams, /metrics itemizes --metrics-max-streams of them
// (the longest) and sums the rest into one series per family, which holds
// the totals; run with -v for the series count, size and lock hold.
func TestMetricsCardinality20k(t *testing.T) {
	const n = 20000
	for _, maxStreams := range []int{0, 10} {
		t.Run(fmt.Sprint("max-streams=", maxStreams), func(t *testing.T) {
			s := start(t, broker.Config{Fsync: wal.EverySec, MetricsMaxStreams: maxStreams})
			entries := fill(t, s, n)
			want := maxStreams
			if want == 0 {
				want = 100 // httpd.DefaultMaxStreams
			}
			began := time.Now()
			m := s.scrape(t)
			took := time.Since(began)
			if got := m.series("sluice_stream_length"); got != want+1 {
				t.Fatalf("%d stream series, want %d and _other", got, want)
			}
			other := []string{"db", "", "stream", "_other"}
			total := m.must(t, "sluice_stream_length", other...)
			for _, mt := range m.fams["sluice_stream_length"].Metric {
				if mt.Label[0].GetValue() != "" {
					if v := mt.Gauge.GetValue(); v != 7 {
						t.Errorf("an itemized stream has %v entries, not one of the longest (7)", v)
					}
					total += mt.Gauge.GetValue()
				}
			}
			if total != float64(entries) {
				t.Errorf("stream series sum to %v entries, want %d", total, entries)
			}
			groups := m.series("sluice_group_lag")
			if groups > want+1 {
				t.Errorf("%d group series for %d itemized streams", groups, want)
			}
			if lag := sum(m, "sluice_group_lag"); lag != float64(lagOf(n)) {
				t.Errorf("group lags sum to %v, want %d", lag, lagOf(n))
			}
			all := 0
			for _, f := range m.fams {
				all += len(f.Metric)
			}
			if all > 2000 {
				t.Errorf("%d series in all", all)
			}
			t.Logf("%d streams, max %d: %d series in all, %d bytes, scrape %v, longest lock hold %v s",
				n, want, all, m.size, took, m.must(t, "sluice_scrape_lock_hold_seconds"))
		})
	}
}

// lagOf is the lag of the groups fill makes: each read nothing, so its
// lag is its stream's length.
func lagOf(n int) int64 {
	var lag int64
	for i := 0; i < n; i += 10 {
		lag += int64(1 + i%7)
	}
	return lag
}

func sum(m metrics, name string) float64 {
	total := 0.0
	for _, mt := range m.fams[name].Metric {
		total += mt.Gauge.GetValue()
	}
	return total
}
