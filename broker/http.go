package broker

import (
	"errors"
	"fmt"
	"time"

	"sluice/httpd"
	"sluice/wal"
)

// startHTTP starts the HTTP server when configured, before recovery; it
// returns the log's observer for its histograms (nil without HTTP: a nil
// *LogMetrics must not become a non-nil wal.Observer).
func (b *Broker) startHTTP() (wal.Observer, error) {
	if b.cfg.HTTPAddr == "" {
		return nil, nil
	}
	m := httpd.NewLogMetrics()
	h, err := httpd.Start(httpd.Config{Addr: b.cfg.HTTPAddr, TLS: b.cfg.HTTPTLS, Engine: b.eng,
		Password: b.requirePass, Ready: b.readiness, Stats: b.httpStats, Durable: b.durable,
		MaxStreams: b.cfg.MetricsMaxStreams, Log: m, Logger: b.log})
	if err != nil {
		return nil, fmt.Errorf("broker: %w", err)
	}
	b.http = h
	return m, nil
}

// stopHTTP stops the HTTP server, if any, waiting for its requests.
func (b *Broker) stopHTTP() {
	if b.http == nil {
		return
	}
	if err := b.http.Close(); err != nil {
		b.log.Warn("http server did not stop cleanly", "err", err)
	}
}

// HTTPAddr is the address the HTTP server listens on, "" without one.
func (b *Broker) HTTPAddr() string {
	if b.http == nil {
		return ""
	}
	return b.http.Addr()
}

// readiness is /readyz once recovery is done: nil while the broker
// serves and takes writes.
func (b *Broker) readiness() error {
	if err := b.eng.Fatal(); err != nil {
		return fmt.Errorf("stopped after an internal error: %w", err)
	}
	if !b.serving.Load() {
		return errors.New("not accepting connections")
	}
	return b.Ready()
}

func (b *Broker) durable(lsn uint64) error { return b.wal.Wait(lsn) }

// httpStats are the broker's figures for /metrics and the page.
func (b *Broker) httpStats() httpd.Stats {
	s := b.snap
	return httpd.Stats{
		ConnectedClients: b.srv.Stats().Connected,
		LogBytes:         b.wal.Size(), LogFirstLSN: b.wal.FirstLSN(), LogLastLSN: b.wal.LastLSN(), LogDurable: b.wal.Durable(),
		SnapshotTime: time.Unix(s.lastSave.Load(), 0), SnapshotTook: time.Duration(s.lastTook.Load()),
		SnapshotBytes: s.lastSize.Load(), SnapshotFailed: s.failed.Load(), SnapshotRunning: s.running.Load(),
	}
}
