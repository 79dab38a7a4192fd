package resp

import (
	"errors"
	"net"
	"time"

	"sluice/internal/redcon"
)

// errDenied is Redis's protected-mode refusal, its advice adapted to
// sluice's flags.
const errDenied = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
	"In this mode connections are only accepted from the loopback interface. " +
	"If you want to connect from external computers to sluice you may adopt one of the following solutions: " +
	"1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to sluice " +
	"from the same host the server is running, however MAKE SURE sluice is not publicly accessible from internet if you do so. " +
	"2) Alternatively you can just disable the protected mode by restarting the server with the '--protected-mode no' option. " +
	"3) Set up an authentication password for the default user (--requirepass, or the default user of the --aclfile file). " +
	"NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

// ErrProtectedMode ends a connection refused by protected mode.
var ErrProtectedMode = errors.New("refused by protected mode: a client from another host, and no password for the default user")

// SetProtectedMode sets protected-mode: while the default user has no
// password, only clients on the loopback interface are served.
func (s *Server) SetProtectedMode(on bool) { s.protected.Store(on) }

// Unprotected reports whether clients from other hosts would be served
// without a password: protected mode is off and the default user has
// none. The broker warns at start when it listens beyond loopback then.
func (s *Server) Unprotected() bool {
	return !s.protected.Load() && s.acl.Users().Default().NoPass()
}

// refuses reports whether protected mode refuses a new connection
// (Redis's clientAcceptHandler): it is on, the default user has no
// password, and the client is not on the loopback interface.
func (s *Server) refuses(conn redcon.Conn) bool {
	if !s.protected.Load() || !s.acl.Users().Default().NoPass() {
		return false
	}
	nc := conn.NetConn()
	if nc == nil {
		return false
	}
	addr, ok := nc.RemoteAddr().(*net.TCPAddr)
	return ok && !addr.IP.IsLoopback()
}

// deny sends the protected-mode refusal (over TLS once the handshake is
// done) and ends the connection.
func (s *Server) deny(conn redcon.Conn) error {
	nc := conn.NetConn()
	nc.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	nc.Write([]byte(errDenied))
	return ErrProtectedMode
}
