package groups

import "sluice/streams"

// PendingLen is the size of the group PEL.
func (g *Group) PendingLen() int { return g.pel.Len() }

// ReleasedLen is how many pending entries have no owner (XNACK'd), XINFO
// STREAM FULL's nacked-count.
func (g *Group) ReleasedLen() int { return g.released }

// PendingBounds returns the smallest and greatest pending IDs, for the
// XPENDING summary; ok is false when nothing is pending.
func (g *Group) PendingBounds() (lo, hi streams.ID, ok bool) {
	first, ok := g.pel.Min()
	if !ok {
		return lo, hi, false
	}
	last, _ := g.pel.Max()
	return first.ID, last.ID, true
}

// Range selects pending entries as extended XPENDING does.
type Range struct {
	Start, End streams.ID // inclusive; the caller turns "(" bounds into these
	Owner      *Consumer  // only this consumer's entries, if set
	MinIdle    int64      // skip owned entries idle for less; 0 keeps all
	Count      int        // at most this many
	Now        int64
}

// Pending calls fn for the entries r selects, in ID order, until fn
// returns false.
func (g *Group) Pending(r Range, fn func(NACK) bool) {
	if r.Count <= 0 || r.End.Less(r.Start) {
		return
	}
	left := r.Count
	visit := func(n NACK) bool {
		if r.End.Less(n.ID) {
			return false
		}
		if !n.idleFor(r.MinIdle, r.Now) {
			return true
		}
		left--
		return fn(n) && left > 0
	}
	if r.Owner == nil {
		g.pel.Ascend(NACK{ID: r.Start}, visit)
		return
	}
	r.Owner.pel.Ascend(r.Start, func(id streams.ID) bool {
		n, _ := g.Lookup(id)
		return visit(n)
	})
}
