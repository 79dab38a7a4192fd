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

// Release decides what XNACK does with id: the delivery count the entry is
// handed back to the group with, and whether it is released. retryCount
// >= 0 sets the counter instead of mode. With force, an entry that is not
// pending but that exists reports in the stream is released with a count
// of 0 before mode applies. The caller applies it with Unown.
func (g *Group) Release(id streams.ID, mode ReleaseMode, retryCount int64, force bool,
	exists func(streams.ID) bool,
) (count int64, ok bool) {
	n, had := g.Lookup(id)
	if !had {
		if !force || !exists(id) {
			return 0, false
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
	return n.DeliveryCount, true
}
