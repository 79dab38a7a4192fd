// Package httpd is sluice's HTTP side: Prometheus metrics, the web page
// with its JSON API, and health probes, on one listener (--http-addr).
//
// It reads the engine only through kernel.Overview, and changes it only
// through kernel.Engine.Exec, as a client would (the page's redrive
// button runs XGROUP REDRIVE), so what it does is logged as any command.
// The broker owns the Server: it starts it before recovery, so that
// /healthz answers and /readyz says "recovering" during a long replay,
// calls Recovered once the data is loaded, and Closes it first on
// shutdown.
package httpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"sluice/kernel"
)

// Users are the server's users as HTTP sees them.
type Users interface {
	// Open reports whether no credentials are needed (the default user
	// has no password).
	Open() bool
	// Login reports whether user and pass let their bearer in.
	Login(user, pass string) bool
}

// openDoor lets everyone in.
type openDoor struct{}

func (openDoor) Open() bool                { return true }
func (openDoor) Login(string, string) bool { return true }

// Config is what the HTTP server needs from the broker.
type Config struct {
	// Addr is the listen address, e.g. 127.0.0.1:8222.
	Addr string
	// TLS, when set, makes the server speak HTTPS only, with this
	// configuration (certificates included): the broker passes the one
	// its RESP listener uses once TLS flags exist, so both ports present
	// the same certificate.
	TLS *tls.Config
	// Engine is read through Overview and written only through Exec.
	Engine *kernel.Engine
	// Users decides who may use every path but /healthz, with HTTP basic
	// auth; nil lets everyone in.
	Users Users
	// Ready is nil when sluice serves and takes writes, else why not.
	Ready func() error
	// Stats are the figures kept outside the engine (log, snapshots,
	// connections).
	Stats func() Stats
	// Durable waits until the log holds lsn, as replies wait for it.
	Durable func(lsn uint64) error
	// MaxStreams is how many streams get their own series in /metrics,
	// the longest first; the rest are summed into stream="_other".
	// 0 means DefaultMaxStreams.
	MaxStreams int
	// Log is fed by the write-ahead log (its Observer); nil leaves the
	// log histograms empty.
	Log    *LogMetrics
	Logger *slog.Logger
}

// Stats are the broker's figures the engine does not keep.
type Stats struct {
	ConnectedClients                    int64
	LogBytes                            int64
	LogFirstLSN, LogLastLSN, LogDurable uint64
	// SnapshotTime is when the last snapshot was saved (at start: when
	// the broker started), SnapshotTook how long writing it took, 0 if
	// none was written by this process.
	SnapshotTime    time.Time
	SnapshotTook    time.Duration
	SnapshotBytes   int64
	SnapshotFailed  bool // the last attempt failed
	SnapshotRunning bool
}

// DefaultMaxStreams is Config.MaxStreams when it is 0.
const DefaultMaxStreams = 100

// Server limits: headers, request bodies, connections, time.
const (
	maxHeaderBytes = 16 << 10
	maxConns       = 128
	readTimeout    = 10 * time.Second
	writeTimeout   = 30 * time.Second
	idleTimeout    = 60 * time.Second
	closeTimeout   = 5 * time.Second
)

// Server is the running HTTP listener.
type Server struct {
	cfg       Config
	log       *slog.Logger
	ln        net.Listener
	srv       *http.Server
	overviews *overviews
	history   *history
	recovered atomic.Bool
	started   time.Time

	stop chan struct{}
	wg   sync.WaitGroup // Serve and the history sampler
	once sync.Once
}

// Start listens on cfg.Addr and serves in the background until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	if cfg.Users == nil {
		cfg.Users = openDoor{}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("httpd: listen: %w", err)
	}
	ln = limitListener(ln, maxConns)
	if cfg.TLS != nil {
		ln = tls.NewListener(ln, cfg.TLS)
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "http"), ln: ln,
		overviews: newOverviews(cfg.Engine), history: newHistory(), started: time.Now(),
		stop: make(chan struct{})}
	s.srv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: readTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	}()
	scheme := "http"
	if cfg.TLS != nil {
		scheme = "https"
	}
	s.log.Info("http listening", "url", scheme+"://"+ln.Addr().String()+"/")
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Recovered tells the server the data is loaded: the page, the API and
// /metrics answer from then on (503 before), and history sampling starts.
func (s *Server) Recovered() {
	if s.recovered.Swap(true) {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.sample()
	}()
}

// Close stops the server: no new requests, running ones get closeTimeout
// to finish, then every goroutine it started has returned.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.stop)
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		if err = s.srv.Shutdown(ctx); err != nil {
			err = errors.Join(fmt.Errorf("httpd: shutdown: %w", err), s.srv.Close())
		}
		s.wg.Wait()
	})
	return err
}
