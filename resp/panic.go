package resp

import (
	"fmt"
	"runtime/debug"

	"sluice/kernel"
)

// recoverCommand isolates a command that panicked: the client gets the
// replies before it, then "-ERR internal error", and is disconnected; the
// panic is logged with the command's name (never its arguments) and the
// stack; the server and every other client go on. The engine has
// released its lock by then, and stopped itself if the command may have
// left state half changed (engine.Fatal). Deferred by handle.
func (c *client) recoverCommand() {
	r := recover()
	if r == nil {
		return
	}
	name := c.running
	if name == "" {
		name = "(unknown)"
	}
	c.srv.log.Error("command panicked; client disconnected",
		"cmd", name, "client", c.eng.ID, "addr", c.addr, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	c.w.buf = c.w.buf[:min(c.replyStart, len(c.w.buf))] // a writer over its limit has let go of everything
	c.w.Error(kernel.ErrInternal)
	c.flush()
	c.conn.Close()
}
