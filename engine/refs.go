package engine

import (
	"sluice/groups"
	"sluice/streams"
)

// refPolicy is how deleting stream entries treats consumer-group references
// (the KEEPREF, DELREF and ACKED options of XADD, XTRIM, XDELEX, XACKDEL).
type refPolicy int

const (
	refKeep    refPolicy = iota // delete; pending entries stay in the PELs
	refDelete                   // delete and drop the entry from every PEL
	refAckedBy                  // delete only what no group still needs
)

// parseRefPolicy recognizes KEEPREF, DELREF and ACKED.
func parseRefPolicy(b []byte) (refPolicy, bool) {
	switch {
	case Equal(b, "keepref"):
		return refKeep, true
	case Equal(b, "delref"):
		return refDelete, true
	case Equal(b, "acked"):
		return refAckedBy, true
	}
	return refKeep, false
}

// trimHooks sets the hooks that make a trim follow policy p.
func (sv *streamValue) trimHooks(p refPolicy, t *streams.Trim) {
	switch p {
	case refDelete:
		t.Deleted = sv.dropRefs
	case refAckedBy:
		t.Keep = sv.referenced
	}
}

// referenced reports whether some group still needs id: a group has not
// read that far, or has it pending (Redis's streamEntryIsReferenced).
func (sv *streamValue) referenced(id streams.ID) bool {
	found := false
	sv.eachGroup(func(g *groups.Group) bool {
		if g.LastID().Less(id) {
			found = true
		} else if _, ok := g.Lookup(id); ok {
			found = true
		}
		return !found
	})
	return found
}

// dropRefs removes id from every group's PEL.
func (sv *streamValue) dropRefs(id streams.ID) {
	sv.eachGroup(func(g *groups.Group) bool {
		g.Ack(id)
		return true
	})
}

// XDELEX and XACKDEL report per ID.
const (
	delNotFound   = -1
	delDeleted    = 1
	delReferenced = 2
)

// deleteEntry deletes id under policy p as XDELEX does.
func (sv *streamValue) deleteEntry(id streams.ID, p refPolicy) int64 {
	switch p {
	case refAckedBy:
		if sv.referenced(id) {
			return delReferenced
		}
	case refDelete:
		sv.dropRefs(id)
	}
	if sv.Delete(id) {
		return delDeleted
	}
	return delNotFound
}
