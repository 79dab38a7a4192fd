package resp

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// parker is how a blocked client's goroutine waits (kernel.Parker): on
// its own socket, peeking without consuming, so that it notices the client
// hanging up (a consumer that died inside XREADGROUP BLOCK must not be
// handed entries nobody reads) without a second goroutine watching the
// socket. A write that serves it, or its timeout, ends the wait by moving
// the socket's read deadline to the past.
type parker struct {
	nc    net.Conn
	rc    syscall.RawConn
	woken atomic.Bool
}

// newParker returns a parker for a connection, nil when it is not a
// socket (the engine then waits on channels, without seeing hangups).
func newParker(nc net.Conn) *parker {
	raw := nc
	if tc, ok := nc.(*tls.Conn); ok {
		raw = tc.NetConn() // TLS records are bytes too: enough to see a hangup
	}
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &parker{nc: raw, rc: rc}
}

// Park waits for Unpark, until, a hangup or the connection closing.
func (p *parker) Park(until time.Time) (gone bool) {
	p.nc.SetReadDeadline(until)
	if p.woken.Swap(false) {
		return false // Unpark came first; its deadline may be overwritten
	}
	var hungUp bool
	err := p.rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case errors.Is(err, syscall.EAGAIN):
			return false // nothing yet: wait for readability
		case n == 0 || err != nil:
			hungUp = true // orderly shutdown or a reset
			return true
		}
		// Commands pipelined behind the blocked one wait in the socket; the
		// client may still hang up after sending them, as Redis would see
		// when reading them.
		hungUp = peerClosed(fd)
		return hungUp // else wait for more bytes or the hangup
	})
	switch {
	case hungUp:
		return true
	case errors.Is(err, os.ErrDeadlineExceeded):
		return false
	}
	return err != nil // closed: the server is stopping or killed the client
}

// Unpark ends a Park, or the next one; from any goroutine.
func (p *parker) Unpark() {
	p.woken.Store(true)
	p.nc.SetReadDeadline(time.Unix(1, 0))
}

// done restores the socket for reading once the wait is over.
func (p *parker) done() {
	p.nc.SetReadDeadline(time.Time{})
	p.woken.Store(false)
}
