package resp

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"sluice/internal/redcon"
)

// handshakeTimeout bounds a TLS handshake: a client that connects and
// never completes one does not keep its goroutine.
const handshakeTimeout = 10 * time.Second

// HandshakeError is a TLS handshake that failed (a plaintext client on the
// TLS port, a certificate refused); the connection is closed.
type HandshakeError struct{ Err error }

func (e *HandshakeError) Error() string { return "TLS handshake: " + e.Err.Error() }
func (e *HandshakeError) Unwrap() error { return e.Err }

// open runs first on each connection's goroutine: a TLS connection
// completes its handshake here, under a deadline; a client protected mode
// refuses is told so and closed.
func (s *Server) open(conn redcon.Conn) error {
	if tc, ok := conn.NetConn().(*tls.Conn); ok {
		ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
		defer cancel()
		if err := tc.HandshakeContext(ctx); err != nil {
			return &HandshakeError{Err: fmt.Errorf("from %s: %w", conn.RemoteAddr(), err)}
		}
	}
	if c, ok := conn.Context().(*client); ok && c.refused {
		return s.deny(conn)
	}
	return nil
}
