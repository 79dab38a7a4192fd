package redcon

import (
	"net"
	"sync/atomic"
)

// Conn is a client connection as a handler sees it. Its methods are for
// the connection's own goroutine (the one calling the handler), except
// Stats and NetConn.
type Conn interface {
	// RemoteAddr returns the client's address.
	RemoteAddr() string
	// Close flushes buffered replies and closes the connection; requests
	// pipelined after the current one are dropped.
	Close() error
	// WriteRaw buffers bytes already in RESP, sent at the end of the batch.
	WriteRaw(data []byte)
	// Send writes what is buffered, then data, to the connection now; it
	// returns once the kernel has taken all of it (see Writer.Send).
	Send(data []byte) error
	// Context returns the value set with SetContext.
	Context() any
	// SetContext keeps one value of the caller's with the connection.
	SetContext(v any)
	// PeekPipeline returns the requests read after the current one and
	// not yet handled: empty when the current one is the last before the
	// replies are flushed.
	PeekPipeline() []Command
	// NetConn returns the underlying connection.
	NetConn() net.Conn
	// Stats are the connection's buffer sizes and activity, for any
	// goroutine to read.
	Stats() *Stats
	// Idle lets go of the read buffer if nothing unread is in it, for a
	// handler about to wait long (a blocked command).
	Idle()
}

// Stats describe a connection's buffers for CLIENT LIST, INFO and the
// idle and output-limit checks of other goroutines; the connection's own
// goroutine updates them.
type Stats struct {
	// QueryBuf is what was read and not yet handled, QueryBufCap the
	// size of the query buffer (0 while an idle connection has none).
	QueryBuf, QueryBufCap atomic.Int64
	// OutPending is what Send has still to hand to the kernel.
	OutPending atomic.Int64
	// Progress counts reads and writes: a connection whose Progress moves
	// is not idle, even in the middle of one long request or reply.
	Progress atomic.Uint64
}

type conn struct {
	conn   net.Conn
	wr     *Writer
	rd     *Reader
	addr   string
	ctx    any
	closed bool
	cmds   []Command
	stats  Stats
}

func newConn(nc net.Conn) *conn {
	c := &conn{conn: nc, addr: nc.RemoteAddr().String()}
	c.wr = newWriter(nc, &c.stats)
	c.rd = newReader(nc, &c.stats)
	c.rd.idle = idleReader(nc)
	return c
}

func (c *conn) Close() error {
	c.wr.Flush()
	c.closed = true
	return c.conn.Close()
}

func (c *conn) RemoteAddr() string      { return c.addr }
func (c *conn) WriteRaw(data []byte)    { c.wr.WriteRaw(data) }
func (c *conn) Send(data []byte) error  { return c.wr.Send(data) }
func (c *conn) Context() any            { return c.ctx }
func (c *conn) SetContext(v any)        { c.ctx = v }
func (c *conn) PeekPipeline() []Command { return c.cmds }
func (c *conn) NetConn() net.Conn       { return c.conn }
func (c *conn) Stats() *Stats           { return &c.stats }

func (c *conn) Idle() {
	if c.rd.start == c.rd.end && c.rd.idle != nil {
		c.rd.release()
	}
}
