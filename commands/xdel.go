package commands

import (
	"sluice/kernel"
	"sluice/streams"
)

// XDEL key id [id ...]
func xdel(c *Ctx) {
	sv, ok := c.Stream(c.Args[1])
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
		id, ok := c.ParseID(a)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	deleted := c.DeleteEntries(c.Args[1], sv, kernel.KeepRef, ids, nil)
	c.Dirty(deleted)
	c.W.Int(deleted)
}
