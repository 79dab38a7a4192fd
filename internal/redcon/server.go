// Package redcon is sluice's copy of github.com/tidwall/redcon v1.6.4, the
// Redis-protocol server shell: one goroutine per connection, pipelined
// requests handed to a handler one at a time, replies flushed once per
// batch. It is trimmed to what sluice uses and its request reader is
// rewritten so that no input can crash or spin it; CHANGES.md lists what
// differs from upstream and why.
package redcon

import (
	"errors"
	"io"
	"net"
	"runtime/debug"
	"sync"
	"time"
)

// Server serves connections with a handler.
type Server struct {
	mu      sync.Mutex
	lns     map[net.Listener]bool
	done    bool
	conns   map[*conn]bool
	handler func(conn Conn, cmd Command)
	accept  func(conn Conn) bool
	closed  func(conn Conn, err error)

	// Limits returns a connection's limits; it is asked before each
	// read. nil means DefaultLimits.
	Limits func(conn Conn) Limits
	// Open, when set, runs first on each connection's own goroutine,
	// before anything is read (a TLS handshake, a refusal that must be
	// written): an error ends the connection, and closed gets it.
	Open func(conn Conn) error
	// AcceptError, when set, is told of the first failed Accept of a run
	// of failures (they are retried after a growing pause, so a process
	// out of file descriptors neither spins nor floods its log), and
	// AcceptResumed of how many failed once Accept works again.
	AcceptError   func(err error)
	AcceptResumed func(failures int)
}

// NewServer returns a server that calls accept for each new connection
// (false refuses it), handler for each request, and closed when a
// connection ends, with the error that ended it (nil for a hangup).
// accept runs on the accepting goroutine, so it must not block.
func NewServer(handler func(conn Conn, cmd Command), accept func(conn Conn) bool, closed func(conn Conn, err error)) *Server {
	if handler == nil {
		panic("redcon: handler is nil")
	}
	return &Server{handler: handler, accept: accept, closed: closed, conns: map[*conn]bool{}, lns: map[net.Listener]bool{}}
}

// Close stops accepting on every listener; each Serve then closes every
// connection and returns.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lns) == 0 {
		return errors.New("not serving")
	}
	s.done = true
	var err error
	for ln := range s.lns {
		err = errors.Join(err, ln.Close())
	}
	return err
}

// Serve accepts connections on ln until Close. A server may serve several
// listeners at once (plain and TLS), each with its own Serve.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return ln.Close()
	}
	s.lns[ln] = true
	s.mu.Unlock()
	defer func() {
		ln.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.lns, ln)
		if s.done {
			for c := range s.conns {
				c.conn.Close()
			}
		}
	}()
	var pause time.Duration
	failures := 0
	for {
		lnconn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			done := s.done
			s.mu.Unlock()
			if done || errors.Is(err, net.ErrClosed) {
				return nil
			}
			if failures == 0 && s.AcceptError != nil {
				s.AcceptError(err)
			}
			failures++
			// Out of file descriptors, Accept fails at once every time:
			// pause, as net/http does, rather than spin a core.
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			time.Sleep(pause)
			continue
		}
		if failures > 0 && s.AcceptResumed != nil {
			s.AcceptResumed(failures)
		}
		pause, failures = 0, 0
		c := newConn(lnconn)
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		if s.accept != nil && !s.accept(c) {
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.conn.Close()
			continue
		}
		go s.handle(c)
	}
}

// handle runs a connection until it ends. A panic anywhere on its
// goroutine ends only this connection; closed hears of it as a
// *PanicError.
func (s *Server) handle(c *conn) {
	var err error
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
		c.conn.Close()
		c.rd.release()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		if s.closed != nil {
			if err == io.EOF {
				err = nil
			}
			s.closed(c, err)
		}
	}()
	if s.Open != nil {
		if err = s.Open(c); err != nil {
			return
		}
	}
	err = s.serve(c)
}

// serve reads batches of requests and hands them to the handler, until
// an error or a close. Requests read before a protocol error run first;
// the error reply follows their replies, then the connection closes.
func (s *Server) serve(c *conn) error {
	for {
		lim := DefaultLimits
		if s.Limits != nil {
			lim = s.Limits(c)
		}
		cmds, err := c.rd.ReadCommands(lim)
		if err != nil {
			var perr *ProtocolError
			if errors.As(err, &perr) {
				c.wr.WriteError("ERR " + perr.Error())
				c.wr.Flush()
			}
			return err
		}
		c.cmds = cmds
		// A handler that closed the connection (QUIT, a panic) ends the
		// batch: what was pipelined after it must not run.
		for len(c.cmds) > 0 && !c.closed {
			cmd := c.cmds[0]
			c.cmds = c.cmds[1:]
			s.handler(c, cmd)
		}
		if c.closed {
			return nil
		}
		if err := c.wr.Flush(); err != nil {
			return err
		}
	}
}
