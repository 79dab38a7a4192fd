package commands

import (
	"math"
	"strings"

	"sluice/kernel"
	"sluice/streams"
)

// Ctx is a command's execution context.
type Ctx = kernel.Ctx

// Reply receives a command's reply.
type Reply = kernel.Reply

var (
	equal = kernel.Equal
)

// Error texts shared by many commands.
const (
	errSyntax    = kernel.ErrSyntax
	errNotInt    = kernel.ErrNotInt
	errWrongType = kernel.ErrWrongType
	errNoKey     = kernel.ErrNoKey
)

// replyEntry writes one entry as [id, [field, value, ...]].
func replyEntry(w Reply, id streams.ID, fv [][]byte, buf []byte) []byte {
	w.Array(2)
	buf = id.Append(buf[:0])
	w.Bulk(buf)
	w.Array(len(fv))
	for _, x := range fv {
		w.Bulk(x)
	}
	return buf
}

// replyID writes an ID as a bulk string.
func replyID(w Reply, id streams.ID) {
	var b [48]byte
	w.Bulk(id.Append(b[:0]))
}

// clampCount turns a COUNT argument into a limit (0 or less = no limit).
func clampCount(n int64) int64 {
	if n <= 0 {
		return math.MaxInt64
	}
	return n
}

// replyHelp writes a HELP reply as Redis's addReplyHelp.
func replyHelp(c *Ctx, name string, lines ...string) {
	c.W.Array(len(lines) + 3)
	c.W.Status(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.Status(l)
	}
	c.W.Status("HELP")
	c.W.Status("    Print this help.")
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func subcommandSyntaxError(c *Ctx) {
	c.Error("ERR unknown subcommand or wrong number of arguments for '" + trunc(string(c.Args[1]), 128) +
		"'. Try " + strings.ToUpper(string(c.Args[0])) + " HELP.")
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// parseIDs parses strict IDs, all or nothing.
func parseIDs(c *Ctx, args [][]byte) ([]streams.ID, bool) {
	ids := make([]streams.ID, len(args))
	for i, a := range args {
		var ok bool
		if ids[i], ok = c.ParseID(a); !ok {
			return nil, false
		}
	}
	return ids, true
}
