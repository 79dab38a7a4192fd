package redcon

import (
	"io"
	"net"
	"os"
	"syscall"
)

// idleReader returns a function that waits until nc has bytes to read, an
// end of file or an error, and reads what came into a buffer of
// idleBuffers taken only then, so an idle connection holds no read buffer;
// the read that finds data is the one that fills the buffer, with no peek
// before it. It returns nil when nc is not a socket (TLS keeps its own
// buffers, so it gains nothing here).
func idleReader(nc net.Conn) func() (*[readSize]byte, int, error) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func() (*[readSize]byte, int, error) {
		var buf *[readSize]byte
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			b := idleBuffers.Get().(*[readSize]byte)
			for {
				n, rerr = syscall.Read(int(fd), b[:])
				if rerr != syscall.EINTR {
					break
				}
			}
			if rerr == syscall.EAGAIN {
				idleBuffers.Put(b)
				return false // wait until readable
			}
			buf = b
			return true
		})
		switch {
		case err == nil && rerr != nil:
			err = &net.OpError{Op: "read", Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(),
				Addr: nc.RemoteAddr(), Err: os.NewSyscallError("read", rerr)}
		case err == nil && n <= 0:
			err = io.EOF
		}
		if err != nil {
			if buf != nil {
				idleBuffers.Put(buf)
			}
			return nil, 0, err
		}
		return buf, n, nil
	}
}
