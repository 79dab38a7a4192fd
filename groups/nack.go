package groups

import (
	"math"

	"sluice/streams"
)

// MaxDeliveries is where delivery counters saturate, and what XNACK FATAL
// sets (Redis's LLONG_MAX).
const MaxDeliveries = math.MaxInt64

// NACK is one pending entry: delivered to a consumer and not yet acked. It is
// stored by value in the group PEL so that copying the tree freezes it.
type NACK struct {
	ID            streams.ID
	DeliveryTime  int64 // unix ms of the last delivery; 0 when released
	DeliveryCount int64

	// owner is the owning consumer's number in its group (Group.Owner), 0
	// once released by XNACK. A number, not a pointer, keeps the PEL
	// pointer-free: the collector never scans it and moving entries inside
	// tree nodes needs no write barriers.
	owner  uint32
	keyRef uint32 // its ORDERBY key's number in the group (0: none), see keyOrder
	order  uint64 // tie-breaker in the delivery-time index, see timeKey
}

// Released reports whether XNACK handed the entry back to the group.
func (n NACK) Released() bool { return n.owner == 0 }

// Idle is how long the entry has waited since its last delivery, clamped at
// zero as XPENDING reports it.
func (n NACK) Idle(now int64) int64 {
	return max(now-n.DeliveryTime, 0)
}

// idleFor reports whether a claim with minIdle may take n. Released entries
// and a zero minIdle take anything, as in XCLAIM, XAUTOCLAIM and XPENDING IDLE.
func (n NACK) idleFor(minIdle, now int64) bool {
	return n.owner == 0 || minIdle == 0 || now-n.DeliveryTime >= minIdle
}

func (n *NACK) countDelivery() { n.DeliveryCount = CountDelivery(n.DeliveryCount) }

// CountDelivery is a delivery counter after one more delivery; it
// saturates at MaxDeliveries.
func CountDelivery(n int64) int64 {
	if n < MaxDeliveries {
		n++
	}
	return n
}

func nackLess(a, b NACK) bool { return a.ID.Less(b.ID) }

// timeKey places a NACK in the delivery-time index that XREADGROUP CLAIM
// walks. Redis keeps a list: released entries first in the order they were
// released, then the rest by delivery time, ties in the order they were
// placed. order is a per-group counter taken at every placement, which gives
// exactly that order.
type timeKey struct {
	released bool
	time     int64
	order    uint64
	id       streams.ID
}

func (n NACK) key() timeKey {
	return timeKey{released: n.owner == 0, time: n.DeliveryTime, order: n.order, id: n.ID}
}

func timeLess(a, b timeKey) bool {
	if a.released != b.released {
		return a.released
	}
	if a.time != b.time {
		return a.time < b.time
	}
	return a.order < b.order
}
