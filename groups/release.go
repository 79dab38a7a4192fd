package groups

import "sluice/streams"

// ReleaseMode is XNACK's mode: how the delivery counter changes.
type ReleaseMode int

// The XNACK modes.
const (
	Silent ReleaseMode = iota // undo the delivery: one less
	Fail                      // keep the count
	Fatal                     // mark as poison: MaxDeliveries
)

// Release hands pending entry id back to the group as XNACK does: no owner,
// first in line for the next claim. retryCount >= 0 sets the counter instead
// of mode. With force, an entry that is not pending but that exists reports
// in the stream is created with a count of 0 before mode applies. It
// reports whether an entry was released.
func (g *Group) Release(id streams.ID, mode ReleaseMode, retryCount int64, force bool,
	exists func(streams.ID) bool,
) bool {
	old, had := g.Lookup(id)
	n := old
	if !had {
		if !force || !exists(id) {
			return false
		}
		n = NACK{ID: id}
	}
	switch {
	case retryCount >= 0:
		n.DeliveryCount = retryCount
	case mode == Silent:
		n.DeliveryCount = max(n.DeliveryCount-1, 0)
	case mode == Fatal:
		n.DeliveryCount = MaxDeliveries
	}
	g.setOwner(&n, nil)
	n.DeliveryTime = 0
	g.store(n, old, had)
	return true
}
