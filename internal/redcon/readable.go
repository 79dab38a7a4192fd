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
	r := &idleRead{nc: nc, rc: rc}
	r.readFD = r.read // bound once: a closure per call would be an allocation per request
	return r.wait
}

// idleRead is one connection's idle reader. Its fields carry the result
// of the read out of readFD, which RawConn.Read calls.
type idleRead struct {
	nc     net.Conn
	rc     syscall.RawConn
	readFD func(fd uintptr) bool
	buf    *[readSize]byte
	n      int
	err    error
}

func (r *idleRead) wait() (*[readSize]byte, int, error) {
	r.buf, r.n, r.err = nil, 0, nil
	err := r.rc.Read(r.readFD)
	buf, n, rerr := r.buf, r.n, r.err
	r.buf = nil
	switch {
	case err == nil && rerr != nil:
		err = &net.OpError{Op: "read", Net: r.nc.LocalAddr().Network(), Source: r.nc.LocalAddr(),
			Addr: r.nc.RemoteAddr(), Err: os.NewSyscallError("read", rerr)}
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

// read reads once from fd into a pooled buffer, reporting false (wait until
// readable) when there is nothing yet.
func (r *idleRead) read(fd uintptr) bool {
	b := idleBuffers.Get().(*[readSize]byte)
	var n int
	var err error
	for {
		n, err = syscall.Read(int(fd), b[:])
		if err != syscall.EINTR {
			break
		}
	}
	if err == syscall.EAGAIN {
		idleBuffers.Put(b)
		return false
	}
	r.buf, r.n, r.err = b, n, err
	return true
}
