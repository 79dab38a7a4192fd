package resp

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"sluice/acl"
	"sluice/internal/redcon"
	"sluice/kernel"
)

// client is one connection's state.
type client struct {
	srv  *Server
	conn redcon.Conn
	eng  *kernel.Client
	w    writer
	// bw takes the reply of a blocked command (kernel.Client.WaitReply):
	// another client's write may serve it while w is still being flushed.
	bw writer
	// pending counts the commands run since blocked clients were last
	// served (ServeReady).
	pending int

	// The user the connection acts as: its name, whether it has
	// authenticated, and the user as of the ACL snapshot users (auth.go).
	userName string
	authed   bool
	users    *acl.Users
	user     *acl.User

	// refused: by protected mode; open sends the refusal and closes.
	refused bool

	multi   *multiState
	watched []kernel.Watched
	// lsn is the log position the buffered replies depend on; they leave
	// only once it is durable.
	lsn, flushedLSN uint64
	// replyStart is where the running command's reply begins in w.buf,
	// and running its name: a panic discards that partial reply.
	replyStart int
	running    string

	created    time.Time
	addr       string
	laddr      string
	lastActive atomic.Int64
	quit       chan struct{}
	quitOnce   sync.Once
	// softSince is when the unsent output went over the soft output limit
	// (unix ms, 0: it is not); closingForOutput is set once the client is
	// being closed for its output (outlimit.go).
	softSince        atomic.Int64
	closingForOutput atomic.Bool
	// progress is the redcon activity count the housekeeping goroutine
	// last saw; only it uses the field (cron.go).
	progress uint64

	// info is what CLIENT LIST shows of another connection.
	info     sync.Mutex
	name     string
	lastCmd  string
	infoUser string
	libName  string
	libVer   string
	x        clientExtra
}

func (c *client) touch() { c.lastActive.Store(time.Now().UnixMilli()) }

// stopped reports whether stop was called (the connection is closing).
func (c *client) stopped() bool {
	select {
	case <-c.quit:
		return true
	default:
		return false
	}
}

// stop ends a blocked wait and closes the connection (CLIENT KILL, Close).
func (c *client) stop() {
	c.quitOnce.Do(func() {
		close(c.quit)
		// the raw socket: redcon's Close flushes its writer, which only the
		// connection's own goroutine may touch
		c.conn.NetConn().Close()
	})
}

func (s *Server) handle(conn redcon.Conn, cmd redcon.Command) {
	c, ok := conn.Context().(*client)
	s.running.RLock()
	defer s.running.RUnlock()
	if !ok || s.closing.Load() || c.stopped() {
		conn.Close() // what was pipelined after is dropped
		return
	}
	if c.pending == 0 {
		// Once per pipeline (or serveEvery commands of a long one): a
		// clock read per command was 2-3% of the CPU of XADD P16.
		c.touch()
	}
	hard := int(min(s.outLimit.Load().Hard, math.MaxInt))
	c.w.limit, c.bw.limit = hard, hard
	c.replyStart, c.running = len(c.w.buf), ""
	defer c.recoverCommand()
	c.dispatch(cmd.Args)
	c.publishInfo()
	c.pending++
	last := len(conn.PeekPipeline()) == 0
	if last || len(c.w.buf) > flushAt || c.pending >= serveEvery {
		// Waiters this pipeline's writes can serve get their entries now,
		// in one reply each.
		c.srv.eng.ServeReady()
		c.pending = 0
	}
	omem := int64(len(c.w.buf))
	c.x.notePeaks(omem, conn.Stats().QueryBufCap.Load())
	if c.w.over || c.bw.over || c.overOutputLimit(omem) {
		c.closeForOutput(omem)
		conn.Close() // the rest of the pipeline is dropped
		return
	}
	if (last || omem > flushAt) && !c.flush() {
		conn.Close() // the client is gone: run nothing more for it
	}
}

const (
	// serveEvery is how many commands of a long pipeline may run before
	// the clients they made servable are served.
	serveEvery = 64
	// flushAt is how many bytes of replies a pipeline may build before
	// they are sent (Redis's NET_MAX_WRITES_PER_EVENT): the next command
	// runs only once the client has taken them, so a client that does
	// not read holds at most one reply (see redcon's Send).
	flushAt = 64 << 10
)

func (c *client) dispatch(args [][]byte) {
	if c.srv.eng.Fatal() != nil {
		c.error(kernel.ErrInternal) // the server is stopping
		return
	}
	cmd, msg := c.srv.eng.Commands().Check(args)
	if cmd == nil {
		if c.multi != nil {
			c.multi.failed = true
		}
		c.error(msg)
		return
	}
	c.setLastCmd(cmd)
	if c.authRequired() && !cmd.Has(kernel.NoAuth) {
		if c.multi != nil {
			c.multi.failed = true
		}
		c.srv.eng.CountError(cmd, "NOAUTH Authentication required.")
		c.w.Error("NOAUTH Authentication required.")
		return
	}
	if !c.checkACL(cmd, args) {
		if c.multi != nil {
			c.multi.failed = true
		}
		return
	}
	if c.multi != nil && !immediateInMulti(cmd.Name) {
		if cmd.Has(kernel.Conn) {
			c.multi.failed = true
			c.error("ERR Command not allowed inside a transaction")
			return
		}
		if msg := c.srv.eng.WriteDenied(cmd); msg != "" {
			c.multi.failed = true
			c.error(msg)
			return
		}
		c.multi.queue(cmd, args)
		c.w.Status("QUEUED")
		return
	}
	if cmd.Has(kernel.Conn) {
		c.connCommand(cmd, args)
		return
	}
	if cmd.Has(kernel.Blocking) && c.eng.Parker == nil {
		// Before Exec: a write may serve the command as soon as it waits.
		if p := newParker(c.conn.NetConn()); p != nil {
			c.eng.Parker = p
		}
	}
	lsn, blocked := c.srv.eng.Exec(c.eng, cmd, args, &c.w)
	c.lsn = max(c.lsn, lsn)
	if blocked {
		c.block()
	}
}

// error replies with an error produced here, counted in errorstats.
func (c *client) error(msg string) {
	c.srv.eng.CountError(nil, msg)
	c.w.Error(msg)
}

func (c *client) setLastCmd(cmd *kernel.Command) {
	name := cmd.FullName()
	c.info.Lock()
	c.lastCmd = name
	c.info.Unlock()
	c.running = name
}

// flush sends the buffered replies once what they depend on is durable,
// and returns when the client has taken them (backpressure: the next
// command of a pipeline is not run for a client that does not read).
// While the log fails that waits for its recovery; if the server shuts
// down first, the replies are dropped and the connection closed: no
// client is told a write succeeded that is not in the log. It reports
// whether the replies were sent.
func (c *client) flush() bool {
	if c.lsn > c.flushedLSN && c.srv.opts.Durable != nil {
		if err := c.srv.opts.Durable(c.lsn); err != nil {
			c.srv.log.Warn("dropping replies: their writes are not in the log", "client", c.eng.ID, "err", err)
			c.w.reset()
			c.stop()
			return false
		}
		c.flushedLSN = c.lsn
	}
	var err error
	if len(c.w.buf) > 0 {
		c.x.alloc.Store(int64(cap(c.w.buf)))
		err = c.conn.Send(c.w.buf)
		c.w.reset()
		c.replyStart = 0
	}
	c.x.alloc.Store(int64(cap(c.w.buf)))
	return err == nil
}

// block waits for a blocking command to be served or to time out. What the
// pipeline produced before it is sent first, since the wait may be long.
func (c *client) block() {
	e := c.srv.eng
	c.x.blocked.Store(true)
	defer c.x.blocked.Store(false)
	c.flush()
	c.conn.Idle() // the wait may be long: no read buffer meanwhile
	if p, ok := c.eng.Parker.(*parker); ok {
		defer p.done()
	}
	if lsn, ok := e.Wait(c.eng, c.quit); ok {
		c.lsn = max(c.lsn, lsn)
	}
	c.w.buf = append(c.w.buf, c.bw.buf...)
	c.w.check()
	c.bw.reset()
}

// immediateInMulti lists the commands that run at once inside MULTI.
func immediateInMulti(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}
