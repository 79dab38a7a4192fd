package redcon

import "net"

// Conn is a client connection as a handler sees it. Its methods are for
// the connection's own goroutine (the one calling the handler).
type Conn interface {
	// RemoteAddr returns the client's address.
	RemoteAddr() string
	// Close flushes buffered replies and closes the connection; requests
	// pipelined after the current one are dropped.
	Close() error
	// WriteRaw buffers bytes already in RESP.
	WriteRaw(data []byte)
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
}

type conn struct {
	conn   net.Conn
	wr     *Writer
	rd     *Reader
	addr   string
	ctx    any
	closed bool
	cmds   []Command
}

func (c *conn) Close() error {
	c.wr.Flush()
	c.closed = true
	return c.conn.Close()
}

func (c *conn) RemoteAddr() string      { return c.addr }
func (c *conn) WriteRaw(data []byte)    { c.wr.WriteRaw(data) }
func (c *conn) Context() any            { return c.ctx }
func (c *conn) SetContext(v any)        { c.ctx = v }
func (c *conn) PeekPipeline() []Command { return c.cmds }
func (c *conn) NetConn() net.Conn       { return c.conn }

// BaseWriter returns the connection's reply writer, for a handler that
// must flush before the batch ends (before it blocks).
func BaseWriter(c Conn) *Writer {
	if c, ok := c.(*conn); ok {
		return c.wr
	}
	return nil
}
