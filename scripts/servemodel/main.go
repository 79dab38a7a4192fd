// Command servemodel answers XADD-shaped RESP requests with a fixed ID and
// no engine behind it, in one of four serving models, so that
// scripts/serve-model-bench.sh can measure what the model alone costs a
// request (issue #14: does an event loop beat a goroutine per connection?):
//
//   - goroutine: a goroutine per connection reads, parses, replies
//     (redcon's model, sluice's today);
//   - goroutine-log: the same, and each request's record goes to a shared
//     log goroutine that writes every batch with one write call before the
//     replies go out (sluice's committer under everysec);
//   - epoll: one loop on epoll, level-triggered, that reads every ready
//     connection, then writes every reply (Redis's model);
//   - epoll-log: the same, writing the pass's records with one write call
//     before the replies (Redis's AOF under everysec).
package main

import (
	"bytes"
	"flag"
	"log"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
)

var reply = []byte("$15\r\n1700000000000-0\r\n")

// complete returns the length of the first whole RESP array at the start
// of b, 0 if it is not all there yet. Input is trusted: this is a bench.
func complete(b []byte) int {
	line := func(p int) (n, next int, ok bool) {
		i := bytes.IndexByte(b[p:], '\n')
		if i < 2 {
			return 0, 0, false
		}
		n, err := strconv.Atoi(string(b[p+1 : p+i-1]))
		return n, p + i + 1, err == nil
	}
	if len(b) == 0 || b[0] != '*' {
		return 0
	}
	args, p, ok := line(0)
	if !ok {
		return 0
	}
	for range args {
		if p >= len(b) {
			return 0
		}
		var n int
		if n, p, ok = line(p); !ok {
			return 0
		}
		if p += n + 2; p > len(b) {
			return 0
		}
	}
	return p
}

// logWriter is the log of goroutine-log: Append queues a record, Wait
// returns once a write call holds it.
type logWriter struct {
	f    *os.File
	kick chan struct{}

	mu        sync.Mutex
	cond      *sync.Cond
	queue     []byte
	last      uint64 // records appended
	published uint64 // records written
}

func newLog(f *os.File) *logWriter {
	l := &logWriter{f: f, kick: make(chan struct{}, 1)}
	l.cond = sync.NewCond(&l.mu)
	go l.run()
	return l
}

func (l *logWriter) Append(rec []byte) uint64 {
	l.mu.Lock()
	l.queue = append(l.queue, rec...)
	l.last++
	n := l.last
	l.mu.Unlock()
	select {
	case l.kick <- struct{}{}:
	default:
	}
	return n
}

func (l *logWriter) Wait(n uint64) {
	l.mu.Lock()
	for l.published < n {
		l.cond.Wait()
	}
	l.mu.Unlock()
}

func (l *logWriter) run() {
	var batch []byte
	for range l.kick {
		l.mu.Lock()
		batch, l.queue = l.queue, batch[:0]
		last := l.last
		l.mu.Unlock()
		if _, err := l.f.Write(batch); err != nil {
			log.Fatal(err)
		}
		l.mu.Lock()
		l.published = last
		l.cond.Broadcast()
		l.mu.Unlock()
	}
}

func serveGoroutines(ln net.Listener, lg *logWriter) {
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 16<<10)
			base := make([]byte, 0, 16<<10)
			in, out := base, []byte(nil)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				in = append(in, buf[:n]...)
				var lsn uint64
				for k := complete(in); k > 0; k = complete(in) {
					if lg != nil {
						lsn = lg.Append(in[:k])
					}
					in = in[k:]
					out = append(out, reply...)
				}
				if len(in) == 0 {
					in = base // all taken: start over at the front
				}
				if lsn > 0 {
					lg.Wait(lsn)
				}
				if len(out) > 0 {
					if _, err := c.Write(out); err != nil {
						return
					}
					out = out[:0]
				}
			}
		}()
	}
}

func serveEpoll(ln *net.TCPListener, lf *os.File) {
	lfile, err := ln.File()
	if err != nil {
		log.Fatal(err)
	}
	lfd := int(lfile.Fd())
	if err := syscall.SetNonblock(lfd, true); err != nil {
		log.Fatal(err)
	}
	ep, err := syscall.EpollCreate1(0)
	if err != nil {
		log.Fatal(err)
	}
	watch := func(fd int) {
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}); err != nil {
			log.Fatal(err)
		}
	}
	watch(lfd)
	type conn struct{ base, in, out []byte }
	conns := map[int]*conn{}
	events := make([]syscall.EpollEvent, 128)
	buf := make([]byte, 16<<10)
	var records []byte
	var replied []int
	for {
		n, err := syscall.EpollWait(ep, events, -1)
		if err != nil && err != syscall.EINTR {
			log.Fatal(err)
		}
		for _, ev := range events[:max(n, 0)] {
			fd := int(ev.Fd)
			if fd == lfd {
				for {
					cfd, _, err := syscall.Accept(lfd)
					if err != nil {
						break
					}
					syscall.SetNonblock(cfd, true)
					syscall.SetsockoptInt(cfd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
					base := make([]byte, 0, 16<<10)
					conns[cfd] = &conn{base: base, in: base}
					watch(cfd)
				}
				continue
			}
			c := conns[fd]
			m, err := syscall.Read(fd, buf)
			if err == syscall.EAGAIN {
				continue
			}
			if m <= 0 {
				syscall.Close(fd) // also leaves the epoll set
				delete(conns, fd)
				continue
			}
			c.in = append(c.in, buf[:m]...)
			for k := complete(c.in); k > 0; k = complete(c.in) {
				if lf != nil {
					records = append(records, c.in[:k]...)
				}
				c.in = c.in[k:]
				c.out = append(c.out, reply...)
			}
			if len(c.in) == 0 {
				c.in = c.base
			}
			if len(c.out) > 0 {
				replied = append(replied, fd)
			}
		}
		if len(records) > 0 {
			if _, err := lf.Write(records); err != nil {
				log.Fatal(err)
			}
			records = records[:0]
		}
		for _, fd := range replied {
			if c := conns[fd]; c != nil {
				syscall.Write(fd, c.out) // a bench reply fits the socket buffer
				c.out = c.out[:0]
			}
		}
		replied = replied[:0]
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:6390", "listen address")
	model := flag.String("model", "goroutine", "goroutine, goroutine-log, epoll or epoll-log")
	logPath := flag.String("log", "", "the file the -log models write (default: a temporary file)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("servemodel: ")
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	var lf *os.File
	if *model == "goroutine-log" || *model == "epoll-log" {
		if *logPath == "" {
			lf, err = os.CreateTemp("", "servemodel-*.log")
		} else {
			lf, err = os.Create(*logPath)
		}
		if err != nil {
			log.Fatal(err)
		}
		defer os.Remove(lf.Name())
	}
	switch *model {
	case "goroutine":
		serveGoroutines(ln, nil)
	case "goroutine-log":
		serveGoroutines(ln, newLog(lf))
	case "epoll":
		serveEpoll(ln.(*net.TCPListener), nil)
	case "epoll-log":
		serveEpoll(ln.(*net.TCPListener), lf)
	default:
		log.Fatalf("unknown -model %q", *model)
	}
}
