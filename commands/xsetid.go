package commands

import "sluice/streams"

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func xsetid(c *Ctx) {
	args := c.Args
	id, ok := c.ParseID(args[2])
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDeleted streams.ID
	for i := 3; i < len(args); i += 2 {
		more := len(args) - 1 - i
		switch {
		case equal(args[i], "entriesadded") && more > 0:
			n, ok := c.Int(args[i+1])
			if !ok {
				return
			}
			if n < 0 {
				c.Error("ERR entries_added must be positive")
				return
			}
			entriesAdded = n
		case equal(args[i], "maxdeletedid") && more > 0:
			if maxDeleted, ok = c.ParseID(args[i+1]); !ok {
				return
			}
			if id.Less(maxDeleted) {
				c.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
		default:
			c.Error(errSyntax)
			return
		}
	}
	sv, ok := c.Stream(args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.Error(errNoKey)
		return
	}
	if sv.Len() > 0 {
		if id.Less(sv.LastEntryID()) {
			c.Error("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && sv.Len() > uint64(entriesAdded) {
			c.Error("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	if id.Less(sv.MaxDeletedID()) {
		c.Error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
		return
	}
	added := sv.EntriesAdded()
	if entriesAdded != -1 {
		added = uint64(entriesAdded)
	}
	if maxDeleted.IsZero() {
		maxDeleted = sv.MaxDeletedID()
	}
	c.SetStreamMeta(args[1], sv, id, added, maxDeleted)
	c.Dirty(1)
	c.W.Status("OK")
}
