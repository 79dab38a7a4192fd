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
	ln      net.Listener
	done    bool
	conns   map[*conn]bool
	handler func(conn Conn, cmd Command)
	accept  func(conn Conn) bool
	closed  func(conn Conn, err error)

	// Limits returns a connection's limits; it is asked before each
	// read. nil means DefaultLimits.
	Limits func(conn Conn) Limits
	// AcceptError, when set, is told of each failed Accept (they are
	// retried after a pause).
	AcceptError func(err error)
}

// NewServer returns a server that calls accept for each new connection
// (false refuses it), handler for each request, and closed when a
// connection ends, with the error that ended it (nil for a hangup).
func NewServer(handler func(conn Conn, cmd Command), accept func(conn Conn) bool, closed func(conn Conn, err error)) *Server {
	if handler == nil {
		panic("redcon: handler is nil")
	}
	return &Server{handler: handler, accept: accept, closed: closed, conns: map[*conn]bool{}}
}

// Close stops accepting; Serve then closes every connection and returns.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return errors.New("not serving")
	}
	s.done = true
	return s.ln.Close()
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	defer func() {
		ln.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for c := range s.conns {
			c.conn.Close()
		}
		s.conns = nil
	}()
	var pause time.Duration
	for {
		lnconn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			done := s.done
			s.mu.Unlock()
			if done || errors.Is(err, net.ErrClosed) {
				return nil
			}
			if s.AcceptError != nil {
				s.AcceptError(err)
			}
			// Out of file descriptors, Accept fails at once every time:
			// pause, as net/http does, rather than spin a core.
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			time.Sleep(pause)
			continue
		}
		pause = 0
		c := &conn{conn: lnconn, addr: lnconn.RemoteAddr().String(), wr: NewWriter(lnconn), rd: NewReader(lnconn)}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		if s.accept != nil && !s.accept(c) {
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
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
