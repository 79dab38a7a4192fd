package redcon

import (
	"errors"
	"net"
	"syscall"
)

// waitReadable returns a function that blocks until nc has bytes to read,
// an end of file or an error, without reading anything; nil when nc is
// not a socket (TLS keeps its own buffers, so it gains nothing here). It
// lets an idle connection wait without a read buffer.
func waitReadable(nc net.Conn) func() error {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func() error { return rc.Read(readable) }
}

// readable is a syscall.RawConn Read callback that peeks one byte without
// consuming it: it reports done (true) when the socket has data, is closed
// by the peer or has failed, and false, to wait for readability, when it
// has nothing yet.
func readable(fd uintptr) bool {
	var b [1]byte
	_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return !errors.Is(err, syscall.EAGAIN)
}
