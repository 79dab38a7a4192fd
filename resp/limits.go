package resp

import (
	"errors"

	"sluice/internal/redcon"
)

// SetProtoMaxBulkLen sets proto-max-bulk-len, the longest argument a
// client may send, from the next request each connection reads.
func (s *Server) SetProtoMaxBulkLen(n int64) { s.maxBulkLen.Store(n) }

// SetQueryBufferLimit sets client-query-buffer-limit, the most input a
// connection may hold unprocessed, from each connection's next read.
func (s *Server) SetQueryBufferLimit(n int64) { s.maxQueryBuffer.Store(n) }

// connLimits are a connection's limits now: Redis's stricter ones apply
// while the client still has to authenticate.
func (s *Server) connLimits(conn redcon.Conn) redcon.Limits {
	lim := redcon.Limits{MaxBulkLen: s.maxBulkLen.Load(), MaxQueryBuffer: s.maxQueryBuffer.Load()}
	if c, ok := conn.Context().(*client); ok {
		lim.Unauthenticated = c.authRequired()
	}
	return lim
}

// logDisconnect logs why the reader ended a connection, at Redis's
// levels: a client over its query buffer limit is a warning, a protocol
// error a debug line (Redis's verbose).
func (s *Server) logDisconnect(c *client, err error) {
	var qerr *redcon.QueryBufferError
	var perr *redcon.ProtocolError
	var panicErr *redcon.PanicError
	var tlsErr *HandshakeError
	switch {
	case errors.As(err, &tlsErr):
		s.log.Debug("TLS handshake failed", "client", c.eng.ID, "addr", c.addr, "err", tlsErr.Err)
	case errors.As(err, &qerr):
		s.queryBufferDisconnects.Add(1)
		s.log.Warn("closing client that reached max query buffer length",
			"client", c.eng.ID, "addr", c.addr, "qbuf", qerr.Size, "limit", qerr.Limit)
	case errors.As(err, &perr):
		s.log.Debug("protocol error from client", "client", c.eng.ID, "addr", c.addr, "err", perr.Error())
	case errors.As(err, &panicErr):
		s.log.Error("connection panicked; client disconnected",
			"client", c.eng.ID, "addr", c.addr, "panic", panicErr.Error(), "stack", string(panicErr.Stack))
	}
}
