package resp

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// watchHangup reports on the returned channel when the peer closes the
// connection while its command is blocked. redcon does not read the socket
// during a handler, so without this a consumer that died inside
// XREADGROUP BLOCK would later be handed entries nobody reads. It peeks
// without consuming, so pipelined commands stay for redcon. stop ends the
// watch and restores the socket for redcon.
func watchHangup(nc net.Conn) (gone <-chan struct{}, stop func()) {
	ch := make(chan struct{})
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return ch, func() {}
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return ch, func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		err := rc.Read(func(fd uintptr) bool {
			n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if errors.Is(err, syscall.EAGAIN) {
				return false // nothing yet: wait for readability
			}
			if n == 0 && err == nil || err != nil {
				close(ch) // orderly shutdown or a reset
			}
			return true // data waiting (more commands) or closed: stop either way
		})
		_ = err // a deadline set by stop, or a closed socket
	}()
	return ch, func() {
		nc.SetReadDeadline(time.Unix(1, 0))
		<-done
		nc.SetReadDeadline(time.Time{})
	}
}
