package resp

import "sluice/engine"

// multiState is a transaction being queued.
type multiState struct {
	cmds   []engine.Queued
	failed bool // a command was refused while queuing: EXEC aborts
}

func (m *multiState) queue(cmd *engine.Cmd, args [][]byte) {
	m.cmds = append(m.cmds, engine.Queued{Cmd: cmd, Args: args})
}

func init() {
	engine.Register(
		&engine.Cmd{Name: "multi", Arity: 1, Flags: engine.FlagConn | engine.FlagFast, Group: "transactions", Since: "1.2.0",
			Summary: "Starts a transaction."},
		&engine.Cmd{Name: "exec", Arity: 1, Flags: engine.FlagConn, Group: "transactions", Since: "1.2.0",
			Summary: "Executes all commands in a transaction."},
		&engine.Cmd{Name: "discard", Arity: 1, Flags: engine.FlagConn | engine.FlagFast, Group: "transactions", Since: "2.0.0",
			Summary: "Discards a transaction."},
		&engine.Cmd{Name: "watch", Arity: -2, Flags: engine.FlagConn | engine.FlagFast, FirstKey: 1, LastKey: -1, Step: 1,
			Group: "transactions", Since: "2.2.0", Summary: "Monitors changes to keys to determine the execution of a transaction."},
		&engine.Cmd{Name: "unwatch", Arity: 1, Flags: engine.FlagConn | engine.FlagFast, Group: "transactions", Since: "2.2.0",
			Summary: "Forgets about watched keys of a transaction."},
	)
}

func (c *client) multiCommand(cmd *engine.Cmd, args [][]byte) {
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
		c.watched = nil
		if m.failed {
			c.error("EXECABORT Transaction discarded because of previous errors.")
			return
		}
		lsn := c.srv.eng.ExecMulti(c.eng, m.cmds, watched, &c.w)
		c.lsn = max(c.lsn, lsn)
	case "discard":
		if c.multi == nil {
			c.error("ERR DISCARD without MULTI")
			return
		}
		c.multi = nil
		c.watched = nil
		c.w.Status("OK")
	case "watch":
		if c.multi != nil {
			c.error("ERR WATCH inside MULTI is not allowed")
			return
		}
		c.watched = append(c.watched, c.srv.eng.Watch(c.eng, args[1:])...)
		c.w.Status("OK")
	case "unwatch":
		c.watched = nil
		c.w.Status("OK")
	}
}
