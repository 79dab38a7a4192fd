package resp

import "sluice/engine"

func init() {
	engine.Register(&engine.Cmd{Name: "client", Arity: -2, Flags: engine.FlagConn, Group: "connection", Since: "2.4.0",
		Summary: "A container for client connection commands."})
}

// clientCommand serves CLIENT and its subcommands.
func (c *client) clientCommand(args [][]byte) {
	switch {
	case engine.Equal(args[1], "id"):
		c.w.Int(c.eng.ID)
	case engine.Equal(args[1], "setname") && len(args) == 3:
		if !validName(args[2]) {
			c.error("ERR Client names cannot contain spaces, newlines or special characters.")
			return
		}
		c.setName(string(args[2]))
		c.w.Status("OK")
	case engine.Equal(args[1], "getname"):
		c.info.Lock()
		name := c.name
		c.info.Unlock()
		if name == "" {
			c.w.Null()
			return
		}
		c.w.BulkString(name)
	default:
		c.error("ERR unknown subcommand '" + string(args[1]) + "'. Try CLIENT HELP.")
	}
}
