package engine

import "sluice/streams"

func init() {
	register(&Cmd{Name: "xdel", Arity: -3, Flags: FlagWrite | FlagFast | FlagNoWake, FirstKey: 1, LastKey: 1, Step: 1,
		Group: "stream", Since: "5.0.0", Summary: "Returns the number of messages after removing them from a stream.", Run: xdel})
}

// XDEL key id [id ...]
func xdel(c *Ctx) {
	sv, ok := c.stream(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.W.Int(0)
		return
	}
	// Check every ID first so that a bad one deletes nothing.
	var small [8]streams.ID
	ids := small[:0]
	for _, a := range c.Args[2:] {
		id, ok := c.parseID(a)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	var deleted int64
	for _, id := range ids {
		if sv.Delete(id) {
			deleted++
		}
	}
	c.Dirty(deleted)
	c.W.Int(deleted)
}
