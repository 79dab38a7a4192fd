package resp

import (
	"sluice/internal/redisint"
	"sluice/kernel"
)

// RedisVersion is the Redis release whose behaviour sluice follows; HELLO
// reports it as INFO does.
const RedisVersion = kernel.RedisVersion

// connCommand serves the commands that change the connection itself.
func (c *client) connCommand(cmd *kernel.Command, args [][]byte) {
	switch cmd.Name {
	case "hello":
		c.hello(args)
	case "auth":
		c.auth(args)
	case "quit":
		c.w.Status("OK")
		c.flush()
		c.conn.Close()
	case "reset":
		c.multi = nil
		c.unwatch()
		c.eng.DB = 0
		c.w.resp3, c.bw.resp3 = false, false
		c.setName("")
		c.startAsDefault()
		c.w.Status("RESET")
	case "client":
		c.clientCommand(args)
	case "acl":
		c.aclCommand(args)
	default:
		switch p := cmd.Parent(); {
		case p != nil && p.Name == "client":
			c.clientCommand(args)
		case p != nil && p.Name == "acl":
			c.aclCommand(args)
		default:
			c.multiCommand(cmd, args)
		}
	}
}

const errWrongPass = "WRONGPASS invalid username-password pair or user is disabled."

// AUTH [username] password
func (c *client) auth(args [][]byte) {
	if len(args) > 3 {
		c.error(kernel.ErrSyntax)
		return
	}
	user, pass := "default", string(args[1])
	if len(args) == 3 {
		user, pass = string(args[1]), string(args[2])
	} else if c.srv.acl.Users().Default().NoPass() {
		c.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		return
	}
	if !c.login(string(args[0]), user, pass) {
		c.error(errWrongPass)
		return
	}
	c.w.Status("OK")
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func (c *client) hello(args [][]byte) {
	proto := 2
	if c.w.resp3 {
		proto = 3
	}
	if len(args) >= 2 {
		v, ok := redisint.Parse(args[1])
		if !ok {
			c.error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.error("NOPROTO unsupported protocol version")
			return
		}
		proto = int(v)
	}
	var name, user, pass []byte
	for i := 2; i < len(args); i++ {
		more := len(args) - i - 1
		switch {
		case kernel.Equal(args[i], "auth") && more >= 2:
			user, pass = args[i+1], args[i+2]
			i += 2
		case kernel.Equal(args[i], "setname") && more >= 1:
			if !validName(args[i+1]) {
				c.error("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			name = args[i+1]
			i++
		default:
			c.error("ERR Syntax error in HELLO option '" + string(args[i]) + "'")
			return
		}
	}
	// As Redis: the options are all checked before AUTH is tried.
	if user != nil && !c.login(string(args[0]), string(user), string(pass)) {
		c.error(errWrongPass)
		return
	}
	if !c.authed {
		c.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if name != nil {
		c.setName(string(name))
	}
	c.w.resp3, c.bw.resp3 = proto == 3, proto == 3
	w := &c.w
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(RedisVersion)
	w.BulkString("proto")
	w.Int(int64(proto))
	w.BulkString("id")
	w.Int(c.eng.ID)
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
}

// validName accepts what Redis accepts as a client name: printable ASCII
// without spaces.
func validName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func (c *client) setName(name string) {
	c.info.Lock()
	c.name = name
	c.info.Unlock()
	c.eng.Name = name
}
