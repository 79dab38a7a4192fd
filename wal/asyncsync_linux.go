//go:build linux && (amd64 || arm64)

package wal

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// asyncSync fsyncs through Linux AIO (IOCB_CMD_FSYNC, Linux 4.18+): the
// kernel runs the fsync on a worker and signals an eventfd that the Go
// netpoller watches, so the committer's goroutine parks instead of
// blocking its thread. A blocking fsync makes the runtime hand the thread's
// P to another thread after 20 µs and take it back after, about ten
// context switches per fsync on one core; under always, at 50 clients
// without pipelining, that was about a sixth of the time (measured in
// alternating runs). The fsync itself is the same call on the same open
// file, so it reports a writeback error the same way. One fsync at a time:
// the committer owns it.
type asyncSync struct {
	ctx   uintptr  // aio_context_t
	event *os.File // the eventfd, non-blocking, so read through the netpoller
	efd   int
	cb    iocb
	cbs   [1]*iocb
	count [8]byte
}

// iocb is struct iocb of <linux/aio_abi.h> on a little-endian machine
// (aio_key before aio_rw_flags), hence the build constraint.
type iocb struct {
	data      uint64
	key       uint32
	rwFlags   int32
	opcode    uint16
	reqprio   int16
	fildes    uint32
	buf       uint64
	nbytes    uint64
	offset    int64
	reserved2 uint64
	flags     uint32
	resfd     uint32
}

// ioEvent is struct io_event.
type ioEvent struct {
	data, obj uint64
	res, res2 int64
}

const (
	iocbCmdFsync  = 2
	iocbFlagResfd = 1 << 0
)

// newAsyncSync sets up an AIO context and its eventfd; an error (no AIO in
// this kernel, a seccomp filter, aio-max-nr reached) means plain fsyncs.
func newAsyncSync() (*asyncSync, error) {
	a := &asyncSync{}
	if _, _, e := unix.Syscall(unix.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&a.ctx)), 0); e != 0 {
		return nil, fmt.Errorf("wal: io_setup: %w", e)
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		a.destroy()
		return nil, fmt.Errorf("wal: eventfd: %w", err)
	}
	a.efd = efd
	a.event = os.NewFile(uintptr(efd), "wal-fsync-eventfd")
	return a, nil
}

// errNotSubmitted: the kernel refused the request itself (not the fsync),
// so the caller fsyncs the plain way.
var errNotSubmitted = errors.New("wal: AIO fsync not submitted")

// sync fsyncs f and waits for it with the goroutine parked.
func (a *asyncSync) sync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var fd uintptr
	if err := rc.Control(func(x uintptr) { fd = x }); err != nil {
		return err
	}
	a.cb = iocb{opcode: iocbCmdFsync, fildes: uint32(fd), flags: iocbFlagResfd, resfd: uint32(a.efd)}
	a.cbs[0] = &a.cb
	for {
		_, _, e := unix.Syscall(unix.SYS_IO_SUBMIT, a.ctx, 1, uintptr(unsafe.Pointer(&a.cbs[0])))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return fmt.Errorf("%w: io_submit: %w", errNotSubmitted, e)
		}
		break
	}
	// From here the fsync runs: wait for its end whatever happens, since
	// the descriptor must stay open until the kernel is done with it.
	if _, err := a.event.Read(a.count[:]); err != nil {
		// Only a closed eventfd fails here, and the log closes it after
		// the committer has returned.
		return fmt.Errorf("wal: AIO fsync: read eventfd: %w", err)
	}
	// The kernel signals the eventfd once the event is in the ring, so
	// this returns at once.
	var ev ioEvent
	for {
		n, _, e := unix.Syscall6(unix.SYS_IO_GETEVENTS, a.ctx, 1, 1, uintptr(unsafe.Pointer(&ev)), 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return fmt.Errorf("wal: AIO fsync: io_getevents: %w", e)
		}
		if n != 1 {
			return fmt.Errorf("wal: AIO fsync: io_getevents returned %d events", n)
		}
		break
	}
	runtime.KeepAlive(f)
	if ev.res < 0 {
		return syscall.Errno(-ev.res)
	}
	return nil
}

// spareAsync keeps the contexts of closed logs for the next Open:
// destroying one waits for an RCU grace period, which made a clean
// shutdown take 35 ms longer.
var spareAsync struct {
	sync.Mutex
	list []*asyncSync
}

// takeAsyncSync returns a spare context, or a new one.
func takeAsyncSync() (*asyncSync, error) {
	spareAsync.Lock()
	defer spareAsync.Unlock()
	if n := len(spareAsync.list); n > 0 {
		a := spareAsync.list[n-1]
		spareAsync.list = spareAsync.list[:n-1]
		return a, nil
	}
	return newAsyncSync()
}

// release keeps a for the next Open. No fsync may be in flight on it.
func (a *asyncSync) release() {
	spareAsync.Lock()
	defer spareAsync.Unlock()
	spareAsync.list = append(spareAsync.list, a)
}

// destroy releases the context (waiting for a request in flight) and the
// eventfd, for a context the kernel refused a request on.
func (a *asyncSync) destroy() {
	unix.Syscall(unix.SYS_IO_DESTROY, a.ctx, 0, 0)
	if a.event != nil {
		a.event.Close()
	}
}
