package resp

import (
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"sluice/internal/redisint"
	"sluice/kernel"
)

// clientExtra is what CLIENT LIST shows of a connection that only the
// connection's own goroutine may read directly: a snapshot published with
// atomics after each command (publishInfo), so other connections read it
// without a race.
type clientExtra struct {
	db, resp, multi, watch atomic.Int64
	blocked                atomic.Bool
	fd                     atomic.Int64
	// alloc is the size of the reply buffer (tot-mem); peakIn and peakOut
	// the largest query buffer and unsent output since the housekeeping
	// goroutine last took them (INFO's client_recent_max_*).
	alloc, peakIn, peakOut atomic.Int64
}

// notePeaks records buffer sizes seen after a command; a peak the
// housekeeping goroutine takes at the same time may be counted in the
// next second instead.
func (x *clientExtra) notePeaks(out, in int64) {
	if out > x.peakOut.Load() {
		x.peakOut.Store(out)
	}
	if in > x.peakIn.Load() {
		x.peakIn.Store(in)
	}
}

func (x *clientExtra) init() {
	x.multi.Store(-1)
	x.resp.Store(2)
	x.fd.Store(-1)
}

// extra returns the connection's published snapshot.
func (c *client) extra() *clientExtra { return &c.x }

// publishInfo snapshots the connection-owned fields CLIENT LIST shows; it
// runs on the connection's goroutine after each command.
func (c *client) publishInfo() {
	x := c.extra()
	x.db.Store(int64(c.eng.DB))
	if c.w.resp3 {
		x.resp.Store(3)
	} else {
		x.resp.Store(2)
	}
	if c.multi != nil {
		x.multi.Store(int64(len(c.multi.cmds)))
	} else {
		x.multi.Store(-1)
	}
	x.watch.Store(int64(len(c.watched)))
}

// fd returns the connection's file descriptor (-1 if unknown).
func (c *client) fd() int64 {
	x := c.extra()
	if fd := x.fd.Load(); fd != -1 {
		return fd
	}
	fd := int64(-1)
	if sc, ok := c.conn.NetConn().(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			raw.Control(func(f uintptr) { fd = int64(f) })
		}
	}
	x.fd.Store(fd)
	return fd
}

// infoLine renders a client as a CLIENT LIST line.
func (c *client) infoLine(now time.Time) string {
	x := c.extra()
	c.info.Lock()
	name, cmd, libName, libVer, user := c.name, c.lastCmd, c.libName, c.libVer, c.infoUser
	c.info.Unlock()
	flags := "N"
	switch {
	case x.blocked.Load():
		flags = "b"
	case x.multi.Load() >= 0:
		flags = "x"
	}
	age := int64(now.Sub(c.created).Seconds())
	idle := (now.UnixMilli() - c.lastActive.Load()) / 1000
	if idle < 0 {
		idle = 0
	}
	var b strings.Builder
	b.WriteString("id=" + strconv.FormatInt(c.eng.ID, 10))
	b.WriteString(" addr=" + c.addr)
	b.WriteString(" laddr=" + c.laddr)
	b.WriteString(" fd=" + strconv.FormatInt(c.fd(), 10))
	b.WriteString(" name=" + name)
	b.WriteString(" age=" + strconv.FormatInt(age, 10))
	b.WriteString(" idle=" + strconv.FormatInt(idle, 10))
	b.WriteString(" flags=" + flags)
	b.WriteString(" db=" + strconv.FormatInt(x.db.Load(), 10))
	b.WriteString(" sub=0 psub=0 ssub=0")
	b.WriteString(" multi=" + strconv.FormatInt(x.multi.Load(), 10))
	b.WriteString(" watch=" + strconv.FormatInt(x.watch.Load(), 10))
	st := c.conn.Stats()
	qbuf, qcap := st.QueryBuf.Load(), st.QueryBufCap.Load()
	b.WriteString(" qbuf=" + strconv.FormatInt(qbuf, 10))
	b.WriteString(" qbuf-free=" + strconv.FormatInt(max(qcap-qbuf, 0), 10))
	b.WriteString(" argv-mem=0 multi-mem=0")
	b.WriteString(" rbs=" + strconv.FormatInt(qcap, 10))
	b.WriteString(" rbp=" + strconv.FormatInt(qcap, 10))
	b.WriteString(" obl=0 oll=0")
	b.WriteString(" omem=" + strconv.FormatInt(st.OutPending.Load(), 10))
	b.WriteString(" tot-mem=" + strconv.FormatInt(qcap+x.alloc.Load(), 10))
	b.WriteString(" events=r")
	b.WriteString(" cmd=" + cmd)
	b.WriteString(" user=" + user + " redir=-1")
	b.WriteString(" resp=" + strconv.FormatInt(x.resp.Load(), 10))
	b.WriteString(" lib-name=" + libName)
	b.WriteString(" lib-ver=" + libVer)
	b.WriteString(" io-thread=0 tot-net-in=0 tot-net-out=0 tot-cmds=0")
	return b.String()
}

var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"    * ID <client-id>",
	"      Kill connections by client id.",
	"    * MAXAGE <maxage>",
	"      Kill connections older than the specified age.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"    * ID <client-id> [<client-id> ...]",
	"      Return clients of specified IDs only.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"NO-TOUCH (ON|OFF)",
	"    Will not touch LRU/LFU stats when this mode is on.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"SETINFO <option> <value>",
	"    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.",
	"    * LIB-VER: the client lib version.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"HELP",
	"    Print this help.",
}

// clientCommand serves CLIENT and its subcommands.
func (c *client) clientCommand(args [][]byte) {
	// The table has checked the subcommand and its arity; HELP is the
	// container's own.
	sub := strings.ToLower(string(args[1]))
	switch sub {
	case "help":
		if len(args) != 2 {
			c.error("ERR wrong number of arguments for 'client|help' command")
			return
		}
		c.w.Array(len(clientHelp))
		for _, l := range clientHelp {
			c.w.Status(l)
		}
	case "id":
		c.w.Int(c.eng.ID)
	case "setname":
		if !validName(args[2]) {
			c.error("ERR Client names cannot contain spaces, newlines or special characters.")
			return
		}
		c.setName(string(args[2]))
		c.w.Status("OK")
	case "getname":
		c.info.Lock()
		name := c.name
		c.info.Unlock()
		if name == "" {
			c.w.Null()
			return
		}
		c.w.BulkString(name)
	case "setinfo":
		c.clientSetInfo(args)
	case "info":
		c.publishInfo()
		c.w.Verbatim("txt", c.infoLine(time.Now())+"\n")
	case "list":
		c.publishInfo()
		c.clientList(args)
	case "kill":
		c.clientKill(args)
	case "no-evict", "no-touch":
		if !kernel.Equal(args[2], "on") && !kernel.Equal(args[2], "off") {
			c.error(kernel.ErrSyntax)
			return
		}
		c.w.Status("OK")
	case "reply":
		switch {
		case kernel.Equal(args[2], "on"):
			c.w.Status("OK")
		case kernel.Equal(args[2], "off"), kernel.Equal(args[2], "skip"):
			c.error("ERR CLIENT REPLY OFF and SKIP are not supported by sluice")
		default:
			c.error(kernel.ErrSyntax)
		}
	case "getredir":
		c.w.Int(-1)
	case "trackinginfo":
		c.w.Map(3)
		c.w.BulkString("flags")
		c.w.Set(1)
		c.w.BulkString("off")
		c.w.BulkString("redirect")
		c.w.Int(-1)
		c.w.BulkString("prefixes")
		c.w.Array(0)
	}
}

// CLIENT SETINFO LIB-NAME name | LIB-VER version
func (c *client) clientSetInfo(args [][]byte) {
	attr, val := string(args[2]), args[3]
	lib := kernel.Equal(args[2], "lib-name")
	if !lib && !kernel.Equal(args[2], "lib-ver") {
		c.error("ERR Unrecognized option '" + attr + "'")
		return
	}
	if !validName(val) && len(val) > 0 {
		c.error("ERR " + attr + " cannot contain spaces, newlines or special characters.")
		return
	}
	c.info.Lock()
	if lib {
		c.libName = string(val)
	} else {
		c.libVer = string(val)
	}
	c.info.Unlock()
	c.w.Status("OK")
}

// validClientType checks a TYPE argument; normal matches every client
// (sluice has no replicas or pub/sub clients).
func (c *client) clientType(b []byte) (normal, ok bool) {
	switch strings.ToLower(string(b)) {
	case "normal":
		return true, true
	case "master", "replica", "slave", "pubsub":
		return false, true
	}
	c.error("ERR Unknown client type '" + string(b) + "'")
	return false, false
}

// CLIENT LIST [TYPE type] [ID id [id ...]]
func (c *client) clientList(args [][]byte) {
	var ids map[int64]bool
	typeOK := true
	for i := 2; i < len(args); i++ {
		switch {
		case kernel.Equal(args[i], "type") && i+1 < len(args):
			normal, ok := c.clientType(args[i+1])
			if !ok {
				return
			}
			typeOK = normal
			i++
		case kernel.Equal(args[i], "id") && i+1 < len(args):
			ids = map[int64]bool{}
			for i++; i < len(args); i++ {
				id, ok := redisint.Parse(args[i])
				if !ok || id <= 0 {
					c.error("ERR Invalid client ID")
					return
				}
				ids[id] = true
			}
		default:
			c.error(kernel.ErrSyntax)
			return
		}
	}
	var b strings.Builder
	now := time.Now()
	if typeOK {
		for _, o := range c.srv.clientList() {
			if ids != nil && !ids[o.eng.ID] {
				continue
			}
			b.WriteString(o.infoLine(now))
			b.WriteByte('\n')
		}
	}
	c.w.Verbatim("txt", b.String())
}

// CLIENT KILL ip:port | CLIENT KILL <filter> <value> ...
func (c *client) clientKill(args [][]byte) {
	if len(args) == 3 { // the old form
		addr := string(args[2])
		for _, o := range c.srv.clientList() {
			if o.addr == addr {
				c.w.Status("OK")
				c.kill(o)
				return
			}
		}
		c.error("ERR No such client")
		return
	}
	if len(args)%2 != 0 {
		c.error(kernel.ErrSyntax)
		return
	}
	var (
		id          int64
		addr, laddr string
		typeNormal  = true
		skipMe      = true
		maxAge      int64
		user        string
		addrGiven   bool
		userGiven   bool
		laddrGiven  bool
		idGiven     bool
		maxAgeGiven bool
	)
	for i := 2; i < len(args); i += 2 {
		v := args[i+1]
		switch {
		case kernel.Equal(args[i], "id"):
			n, ok := redisint.Parse(v)
			if !ok || n <= 0 {
				c.error("ERR client-id should be greater than 0")
				return
			}
			id, idGiven = n, true
		case kernel.Equal(args[i], "type"):
			normal, ok := c.clientType(v)
			if !ok {
				return
			}
			typeNormal = normal
		case kernel.Equal(args[i], "addr"):
			addr, addrGiven = string(v), true
		case kernel.Equal(args[i], "laddr"):
			laddr, laddrGiven = string(v), true
		case kernel.Equal(args[i], "user"):
			user, userGiven = string(v), true
			if c.srv.acl.Users().Get(user) == nil {
				c.error("ERR No such user '" + user + "'")
				return
			}
		case kernel.Equal(args[i], "skipme"):
			switch {
			case kernel.Equal(v, "yes"):
				skipMe = true
			case kernel.Equal(v, "no"):
				skipMe = false
			default:
				c.error(kernel.ErrSyntax)
				return
			}
		case kernel.Equal(args[i], "maxage"):
			n, ok := redisint.Parse(v)
			if !ok || n < 0 {
				c.error(kernel.ErrNotInt)
				return
			}
			maxAge, maxAgeGiven = n, true
		default:
			c.error(kernel.ErrSyntax)
			return
		}
	}
	now := time.Now()
	var victims []*client
	if typeNormal {
		for _, o := range c.srv.clientList() {
			switch {
			case idGiven && o.eng.ID != id,
				addrGiven && o.addr != addr,
				laddrGiven && o.laddr != laddr,
				maxAgeGiven && int64(now.Sub(o.created).Seconds()) < maxAge,
				userGiven && o.publicUser() != user,
				skipMe && o == c:
				continue
			}
			victims = append(victims, o)
		}
	}
	c.w.Int(int64(len(victims)))
	for _, o := range victims {
		c.kill(o)
	}
}

// kill closes a connection; the caller's own connection closes after
// its reply is sent.
func (c *client) kill(o *client) {
	if o != c {
		o.stop()
		return
	}
	c.flush()
	c.stop()
}
