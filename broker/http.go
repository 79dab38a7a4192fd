package broker

import (
	"errors"

	"fmt"
	"sluice/acl"
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
	web := b.cfg.HTTPTLS
	if web == nil && b.tls != nil {
		web = b.tls.web() // with the TLS flags, HTTPS with the RESP port's certificate
	}
	h, err := httpd.Start(httpd.Config{Addr: b.cfg.HTTPAddr, TLS: web, Engine: b.eng,
		Users: httpUsers{b.acl}, Ready: b.readiness, Stats: b.httpStats, Durable: b.durable,
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
	if b.serving.Load() == 0 {
		return errors.New("not accepting connections")
	}
	return b.Ready()
}

func (b *Broker) durable(lsn uint64) error { return b.wal.Wait(lsn) }

// httpStats are the broker's figures for /metrics and the page.
func (b *Broker) httpStats() httpd.Stats {
	s := b.snap
	return httpd.Stats{
		ConnectedClients: b.srv.Connected(),
		LogBytes:         b.wal.Size(), LogFirstLSN: b.wal.FirstLSN(), LogLastLSN: b.wal.LastLSN(), LogDurable: b.wal.Durable(),
		SnapshotTime: time.Unix(s.lastSave.Load(), 0), SnapshotTook: time.Duration(s.lastTook.Load()),
		SnapshotBytes: s.lastSize.Load(), SnapshotFailed: s.failed.Load(), SnapshotRunning: s.running.Load(),
	}
}

// httpUsers lets the HTTP server in whom the ACL lets in: no credentials
// while the default user needs no password, else a user and password of a
// user who may run every command on every key (the page shows every
// stream and can redrive dead letters).
type httpUsers struct{ acl *acl.ACL }

func (h httpUsers) Open() bool {
	u := h.acl.Users().Get("default")
	return u != nil && u.Enabled() && u.NoPass()
}

func (h httpUsers) Login(user, pass string) bool {
	u := h.acl.Authenticate(user, pass)
	return u != nil && u.Unrestricted()
}
