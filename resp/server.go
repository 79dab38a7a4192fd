// Package resp is sluice's protocol layer: connections on redcon, RESP2 and
// RESP3 replies, authentication, transactions and blocking waits. It knows
// the engine's command table, never how data is stored.
package resp

import (
	"errors"
	"log/slog"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"sluice/acl"
	"sluice/internal/redcon"
	"sluice/kernel"
)

// Options configure a Server.
type Options struct {
	Engine *kernel.Engine
	// Durable blocks until the log holds every change up to lsn as the
	// fsync policy promises; nil when nothing is persisted.
	Durable func(lsn uint64) error
	// ACL are the users; nil: only "default", with no password.
	ACL    *acl.ACL
	Logger *slog.Logger
}

// Server serves the Redis protocol.
type Server struct {
	opts    Options
	eng     *kernel.Engine
	log     *slog.Logger
	rs      *redcon.Server
	acl     *acl.ACL
	closing atomic.Bool
	// running is read-held by every command in progress; Close takes it
	// to wait for them, and commands that arrive later see closing.
	running sync.RWMutex

	mu      sync.Mutex
	lns     []net.Listener
	clients map[int64]*client

	connected atomic.Int64
	total     atomic.Int64
	rejected  atomic.Int64

	// proto-max-bulk-len and client-query-buffer-limit (limits.go)
	maxBulkLen, maxQueryBuffer atomic.Int64
	queryBufferDisconnects     atomic.Int64
	// client-output-buffer-limit (outlimit.go)
	outLimit               atomic.Pointer[OutputLimit]
	outputLimitDisconnects atomic.Int64
	maxClients             atomic.Int64 // maxclients.go
	protected              atomic.Bool  // protected-mode (protected.go)
	timeout                atomic.Int64 // idle seconds, 0: never (cron.go)
	recentIn, recentOut    recentMax
	cronStop, cronDone     chan struct{}
}

// New returns a server for an engine. Its housekeeping goroutine (idle
// clients, output limits, buffer peaks) runs until Close.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ACL == nil {
		opts.ACL = acl.New(Catalog(opts.Engine.Commands()), "")
	}
	s := &Server{opts: opts, eng: opts.Engine, log: opts.Logger, acl: opts.ACL, clients: map[int64]*client{},
		cronStop: make(chan struct{}), cronDone: make(chan struct{})}
	s.rs = redcon.NewServer(s.handle, s.accept, s.closed)
	s.rs.Limits = s.connLimits
	s.rs.Open = s.open
	s.rs.AcceptError = s.acceptError
	s.rs.AcceptResumed = s.acceptResumed
	s.maxBulkLen.Store(redcon.DefaultMaxBulkLen)
	s.maxQueryBuffer.Store(redcon.DefaultMaxQueryBuffer)
	s.outLimit.Store(&OutputLimit{})
	s.maxClients.Store(DefaultMaxClients)
	s.protected.Store(true)
	s.registerInfo()
	go s.cron()
	return s
}

// Serve accepts connections on ln until Close. A server may serve several
// listeners at once, each with its own Serve.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		return ln.Close()
	}
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	err := s.rs.Serve(ln)
	if s.closing.Load() {
		return nil
	}
	return err
}

// Close stops accepting, ends blocked waits, closes every connection and
// waits for running commands to finish. A second Close waits as well.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing.Swap(true) {
		s.mu.Unlock()
		s.running.Lock()
		s.running.Unlock()
		return nil
	}
	lns := s.lns
	s.mu.Unlock()
	close(s.cronStop)
	<-s.cronDone
	var err error
	// Closing the listeners ends redcon's accept loops even when Serve has
	// not reached them yet (redcon's Close then says "not serving").
	s.rs.Close()
	for _, ln := range lns {
		if cerr := ln.Close(); !errors.Is(cerr, net.ErrClosed) {
			err = errors.Join(err, cerr)
		}
	}
	s.mu.Lock()
	for _, c := range s.clients {
		c.stop()
	}
	s.mu.Unlock()
	s.running.Lock()
	s.running.Unlock()
	return err
}

func (s *Server) accept(conn redcon.Conn) bool {
	if s.closing.Load() {
		return false
	}
	if !s.admit(conn) {
		return false
	}
	c := &client{srv: s, conn: conn, eng: s.eng.NewClient(), created: time.Now(), addr: conn.RemoteAddr(), quit: make(chan struct{})}
	c.eng.WaitReply = &c.bw
	c.x.init()
	c.lastCmd = "NULL"
	if s.refuses(conn) {
		s.rejected.Add(1)
		c.refused = true
	}
	c.startAsDefault()
	c.touch()
	if nc := conn.NetConn(); nc != nil {
		c.laddr = nc.LocalAddr().String()
	}
	conn.SetContext(c)
	s.mu.Lock()
	s.clients[c.eng.ID] = c
	s.mu.Unlock()
	s.total.Add(1)
	return true
}

func (s *Server) closed(conn redcon.Conn, err error) {
	c, ok := conn.Context().(*client)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.clients, c.eng.ID)
	s.mu.Unlock()
	c.unwatch()
	s.connected.Add(-1)
	s.logDisconnect(c, err)
}

// Clients returns the connected clients ordered by ID.
func (s *Server) clientList() []*client {
	out := s.clientsUnordered()
	sort.Slice(out, func(i, j int) bool { return out[i].eng.ID < out[j].eng.ID })
	return out
}

// clientsUnordered returns the connected clients.
func (s *Server) clientsUnordered() []*client {
	s.mu.Lock()
	out := make([]*client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	s.mu.Unlock()
	return out
}

// Connected is how many clients are connected.
func (s *Server) Connected() int64 { return s.connected.Load() }
