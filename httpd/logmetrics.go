package httpd

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// LogMetrics are the write-ahead log's histograms. It is the log's
// Observer (wal.Options.Observer): the broker makes it before the log
// opens, and the server shows it.
type LogMetrics struct {
	fsync, batchRecords, batchBytes prometheus.Histogram
}

// NewLogMetrics returns empty histograms.
func NewLogMetrics() *LogMetrics {
	return &LogMetrics{
		fsync: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "sluice_log_fsync_duration_seconds",
			Help: "Time each fsync of the log's tail segment took.",
			// 50 µs to 3.3 s: a fast NVMe to a disk in trouble.
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 17),
		}),
		batchRecords: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sluice_log_commit_batch_records",
			Help:    "Records per group-commit batch (one write call; under appendfsync always, one fsync).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 15), // 1 to 16384
		}),
		batchBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sluice_log_commit_batch_bytes",
			Help:    "Bytes per group-commit batch.",
			Buckets: prometheus.ExponentialBuckets(64, 4, 10), // 64 B to 16 MiB
		}),
	}
}

// Fsync implements wal.Observer.
func (m *LogMetrics) Fsync(took time.Duration) { m.fsync.Observe(took.Seconds()) }

// Batch implements wal.Observer.
func (m *LogMetrics) Batch(records, bytes int) {
	m.batchRecords.Observe(float64(records))
	m.batchBytes.Observe(float64(bytes))
}
