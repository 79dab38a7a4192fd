package resp

import (
	"crypto/tls"
	"fmt"
	"syscall"
	"time"

	"sluice/internal/redcon"
)

const (
	// DefaultMaxClients is Redis's maxclients.
	DefaultMaxClients = 10000
	// reservedFDs are the descriptors kept for the log, snapshots and
	// listeners beyond one per client (Redis's CONFIG_MIN_RESERVED_FDS).
	reservedFDs   = 32
	errMaxClients = "-ERR max number of clients reached\r\n"
)

// admit counts a new connection in, unless maxclients are connected: then
// it is refused with Redis's error, written at once on a plain socket
// (best effort: its send buffer is empty) and not at all on TLS, where
// Redis too starts no handshake for a client it refuses.
func (s *Server) admit(conn redcon.Conn) bool {
	for {
		n := s.connected.Load()
		if n >= s.maxClients.Load() {
			break
		}
		if s.connected.CompareAndSwap(n, n+1) {
			return true
		}
	}
	s.rejected.Add(1)
	if nc := conn.NetConn(); nc != nil {
		if _, isTLS := nc.(*tls.Conn); !isTLS {
			nc.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
			nc.Write([]byte(errMaxClients))
		}
	}
	return false
}

// SetMaxClients sets maxclients, raising the open file limit as far as
// the process may when more descriptors are needed; if they cannot be
// had, nothing changes and the error says how many clients could be
// (Redis's CONFIG SET maxclients).
func (s *Server) SetMaxClients(n int64) error {
	if most := clientsForFDs(n); most < n {
		return fmt.Errorf("The operating system is not able to handle the specified number of clients, try with %d", max(most, 1))
	}
	s.maxClients.Store(n)
	return nil
}

// MaxClientsAtStart is the maxclients the process can serve, at most
// want: the open file limit is raised as far as allowed first. Less than
// want means the limit is too low (Redis then reduces maxclients and
// warns, as the caller should).
func MaxClientsAtStart(want int64) int64 { return max(min(clientsForFDs(want), want), 1) }

// clientsForFDs raises the soft open file limit towards what n clients
// need and returns how many clients the limit allows.
func clientsForFDs(n int64) int64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return n // nothing known: keep what was asked
	}
	need := uint64(n) + reservedFDs
	if lim.Cur < need {
		raised := lim
		raised.Cur = min(need, lim.Max)
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			lim = raised
		}
	}
	if lim.Cur >= need {
		return n
	}
	return int64(lim.Cur) - reservedFDs
}

// acceptError logs the first failure of a run of failed accepts (out of
// file descriptors, say); redcon pauses between retries.
func (s *Server) acceptError(err error) {
	s.log.Warn("accepting connections failed; retrying with pauses, and logging again once it works", "err", err)
}

// acceptResumed logs the end of a run of failed accepts.
func (s *Server) acceptResumed(failures int) {
	s.log.Warn("accepting connections again", "failed_accepts", failures)
}
