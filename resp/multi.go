package resp

import (
	"sluice/acl"
	"sluice/kernel"
)

// multiState is a transaction being queued.
type multiState struct {
	cmds   []kernel.Queued
	failed bool // a command was refused while queuing: EXEC aborts
}

func (m *multiState) queue(cmd *kernel.Command, args [][]byte) {
	m.cmds = append(m.cmds, kernel.Queued{Cmd: cmd, Args: args})
}

func (c *client) multiCommand(cmd *kernel.Command, args [][]byte) {
	switch cmd.Name {
	case "multi":
		if c.multi != nil {
			c.error("ERR MULTI calls can not be nested")
			return
		}
		c.multi = &multiState{}
		c.w.Status("OK")
	case "exec":
		if c.multi == nil {
			c.error("ERR EXEC without MULTI")
			return
		}
		m := c.multi
		c.multi = nil
		watched := c.watched
		defer c.unwatch()
		if m.failed {
			c.error("EXECABORT Transaction discarded because of previous errors.")
			return
		}
		c.recheckACL(m.cmds)
		lsn := c.srv.eng.ExecMulti(c.eng, m.cmds, watched, &c.w)
		c.lsn = max(c.lsn, lsn)
	case "discard":
		if c.multi == nil {
			c.error("ERR DISCARD without MULTI")
			return
		}
		c.multi = nil
		c.unwatch()
		c.w.Status("OK")
	case "watch":
		if c.multi != nil {
			c.error("ERR WATCH inside MULTI is not allowed")
			return
		}
		c.watched = append(c.watched, c.srv.eng.Watch(c.eng, args[1:])...)
		c.w.Status("OK")
	case "unwatch":
		c.unwatch()
		c.w.Status("OK")
	}
}

// unwatch forgets the connection's WATCHes.
func (c *client) unwatch() {
	c.srv.eng.Unwatch(c.watched)
	c.watched = nil
}

// recheckACL checks the queued commands again at EXEC, as Redis does: the
// user's permissions may have changed since they were queued. A command
// now refused gets Redis's error in its place in EXEC's reply.
func (c *client) recheckACL(cmds []kernel.Queued) {
	for i, q := range cmds {
		if msg, object, reason := c.denied(q.Cmd, q.Args); msg != "" {
			c.logDenial(reason, acl.ContextMulti, object)
			cmds[i].Error = "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. " +
				"This command is no longer allowed for the following reason: " + msg
		}
	}
}
