package groups

import "sluice/streams"

// Consumer is one named reader of a group. Its name never changes, so NACKs
// can point at it.
type Consumer struct {
	name string
	// seen is the last attempted interaction, active the last one that got
	// entries (Redis 7.2+); active is -1 until the first.
	seen, active int64
	num          uint32                // its number in the group, for NACK.owner
	pel          *chunkSet[streams.ID] // IDs this consumer owns
}

func newConsumer(name string, seen, active int64) *Consumer {
	return &Consumer{name: name, seen: seen, active: active, pel: newChunkSet(streams.ID.Less)}
}

// MarkActive records that c got entries at now (XINFO's active-time).
func (c *Consumer) MarkActive(now int64) { c.active = now }

// Name is the consumer's name.
func (c *Consumer) Name() string { return c.name }

// SeenTime is the unix ms of the last attempted read or claim.
func (c *Consumer) SeenTime() int64 { return c.seen }

// ActiveTime is the unix ms of the last successful read or claim, or -1.
func (c *Consumer) ActiveTime() int64 { return c.active }

// PendingLen is how many entries the consumer owns.
func (c *Consumer) PendingLen() int { return c.pel.Len() }

// Idle and Inactive are what XINFO CONSUMERS reports: ms since the last
// attempt (never negative) and since the last success (-1 if never).
func (c *Consumer) Idle(now int64) int64 { return max(now-c.seen, 0) }

// Inactive: see Idle.
func (c *Consumer) Inactive(now int64) int64 {
	if c.active == -1 {
		return -1
	}
	return now - c.active
}

// Pending calls fn for each owned ID >= from, in ID order, until fn returns
// false. fn may change the group but not this consumer's PEL.
func (c *Consumer) Pending(from streams.ID, fn func(streams.ID) bool) {
	c.pel.Ascend(from, fn)
}

// consumerItem orders consumers by name; the name is kept beside the pointer
// so a lookup probe needs no allocation.
type consumerItem struct {
	name string
	c    *Consumer
}

func consumerLess(a, b consumerItem) bool { return a.name < b.name }
