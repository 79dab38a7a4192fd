package bench

import (
	"math"
	"math/bits"
	"time"
)

// histogram counts latencies in log-linear buckets, HDR style: values below
// 2*subBuckets ns are exact; above that, each power of two is split into
// subBuckets equal buckets, so a bucket is at most 1/subBuckets of its lower
// bound wide and a percentile reported at the bucket middle is within
// 1/(2*subBuckets) (0.4%) of the true sample. Values from 1ns to maxValue
// (about 18 minutes) are tracked; larger ones count in the top bucket, while
// Max stays exact. Recording never allocates; one histogram per goroutine,
// merged at the end, needs no locks.
type histogram struct {
	counts   [numBuckets]uint64
	count    uint64
	min, max int64
}

const (
	subBucketBits = 7
	subBuckets    = 1 << subBucketBits // buckets per power of two
	linearLimit   = 2 * subBuckets     // values below this have their own bucket
	maxShift      = 32
	maxValue      = int64(1)<<(maxShift+subBucketBits+1) - 1
	numBuckets    = linearLimit + maxShift*subBuckets
)

// relativeError bounds |reported - true| / true for a percentile.
const relativeError = 1.0 / (2 * subBuckets)

// Record adds one sample.
func (h *histogram) Record(d time.Duration) { h.RecordN(d, 1) }

// RecordN adds n samples of the same value, e.g. every command of a pipeline
// that took one round trip.
func (h *histogram) RecordN(d time.Duration, n uint64) {
	if n == 0 {
		return
	}
	v := max(int64(d), 0)
	if h.count == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.count += n
	h.counts[bucketOf(v)] += n
}

// Merge adds all samples of o to h.
func (h *histogram) Merge(o *histogram) {
	if o.count == 0 {
		return
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.count += o.count
	for i, c := range o.counts {
		h.counts[i] += c
	}
}

// Count is the number of samples.
func (h *histogram) Count() uint64 { return h.count }

// Min is the smallest sample, exactly; 0 when empty.
func (h *histogram) Min() time.Duration { return time.Duration(h.min) }

// Max is the largest sample, exactly; 0 when empty.
func (h *histogram) Max() time.Duration { return time.Duration(h.max) }

// Percentile returns the nearest-rank q-th percentile (0 < q <= 100): the
// smallest sample with at least q% of samples at or below it, within
// relativeError (exact for the first and last rank). It is 0 for an empty
// histogram.
func (h *histogram) Percentile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q / 100 * float64(h.count)))
	switch {
	case rank <= 1:
		return time.Duration(h.min)
	case rank >= h.count:
		return time.Duration(h.max)
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			mid := lo + (hi-lo)/2
			return time.Duration(min(max(mid, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

func bucketOf(v int64) int {
	if v < linearLimit {
		return int(v)
	}
	v = min(v, maxValue)
	shift := bits.Len64(uint64(v)) - subBucketBits - 1 // >= 1: top keeps subBucketBits+1 bits
	top := int(v >> shift)                             // in [subBuckets, 2*subBuckets)
	return linearLimit + (shift-1)*subBuckets + top - subBuckets
}

// bucketRange returns the smallest and largest value that fall in bucket i.
func bucketRange(i int) (lo, hi int64) {
	if i < linearLimit {
		return int64(i), int64(i)
	}
	i -= linearLimit
	shift := i/subBuckets + 1
	top := int64(i%subBuckets + subBuckets)
	return top << shift, (top+1)<<shift - 1
}
