package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exactPercentile is the nearest-rank percentile of sorted samples.
func exactPercentile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func TestHistogramPercentilesWithinRelativeError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		gen  func() time.Duration
	}{
		// Log-uniform from 1µs to 100s: every bucket scale gets samples.
		{"log-uniform", func() time.Duration { return time.Duration(math.Exp(math.Log(1e3) + r.Float64()*math.Log(1e8))) }},
		{"narrow", func() time.Duration { return 200*time.Microsecond + time.Duration(r.IntN(50_000)) }},
		{"sub-256ns exact", func() time.Duration { return time.Duration(r.IntN(256)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h histogram
			samples := make([]time.Duration, 50_000)
			for i := range samples {
				samples[i] = tc.gen()
				h.Record(samples[i])
			}
			slices.Sort(samples)
			for _, q := range []float64{0.1, 1, 10, 50, 90, 99, 99.9, 99.99, 100} {
				want := exactPercentile(samples, q)
				got := h.Percentile(q)
				if diff := math.Abs(float64(got - want)); diff > float64(want)*relativeError {
					t.Errorf("p%v = %v, exact %v: off by %.4f%% > %.4f%%", q, got, want, 100*diff/float64(want), 100*relativeError)
				}
			}
			if h.Min() != samples[0] || h.Max() != samples[len(samples)-1] {
				t.Errorf("min/max = %v/%v, want %v/%v", h.Min(), h.Max(), samples[0], samples[len(samples)-1])
			}
			if h.Count() != uint64(len(samples)) {
				t.Errorf("count = %d, want %d", h.Count(), len(samples))
			}
		})
	}
}

func TestHistogramMergeEqualsRecordingAll(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var a, b, all histogram
	for i := range 20_000 {
		d := time.Duration(r.Int64N(int64(time.Second)))
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
		all.Record(d)
	}
	var merged histogram
	merged.Merge(&a)
	merged.Merge(&b)
	merged.Merge(&histogram{}) // merging an empty one changes nothing
	if merged != all {
		t.Fatalf("merged histogram differs from recording all samples into one: count %d vs %d, min %v vs %v, max %v vs %v",
			merged.Count(), all.Count(), merged.Min(), all.Min(), merged.Max(), all.Max())
	}
}

func TestHistogramMinMaxAndRecordN(t *testing.T) {
	var h histogram
	h.RecordN(5*time.Millisecond, 3)
	h.Record(time.Microsecond)
	h.RecordN(time.Hour, 0) // no samples: ignored
	h.Record(2 * time.Hour) // above the tracked range: Max stays exact
	if h.Count() != 5 || h.Min() != time.Microsecond || h.Max() != 2*time.Hour {
		t.Fatalf("count/min/max = %d/%v/%v", h.Count(), h.Min(), h.Max())
	}
	if p := h.Percentile(50); math.Abs(float64(p-5*time.Millisecond)) > float64(5*time.Millisecond)*relativeError {
		t.Errorf("p50 = %v, want ~5ms", p)
	}
	if p := h.Percentile(100); p != 2*time.Hour {
		t.Errorf("p100 = %v, want the exact max", p)
	}
}

func TestHistogramEmpty(t *testing.T) {
	var h histogram
	if h.Count() != 0 || h.Min() != 0 || h.Max() != 0 || h.Percentile(50) != 0 || h.Percentile(100) != 0 {
		t.Fatalf("empty histogram: count %d min %v max %v p50 %v", h.Count(), h.Min(), h.Max(), h.Percentile(50))
	}
}
