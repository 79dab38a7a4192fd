package groups

// A snapshot writes a group as New's arguments, then every consumer
// (Consumers, with its seen and active times), then every NACK in ID order
// (ScanByID) with its Order. Reading it back with RestoreConsumer and
// RestoreNACK rebuilds the group exactly, down to which of two entries
// delivered in the same millisecond a claim takes first.

// ScanByTime calls fn for each pending entry in the order XREADGROUP CLAIM
// would take them, until fn returns false.
func (g *Group) ScanByTime(fn func(NACK) bool) {
	g.timeIndex().Scan(func(k timeKey) bool {
		n, _ := g.Lookup(k.id)
		return fn(n)
	})
}

// RestoreConsumer adds a consumer read from a snapshot.
func (g *Group) RestoreConsumer(name string, seen, active int64) *Consumer {
	c := newConsumer(name, seen, active)
	g.addConsumer(c)
	return c
}

// Order is the entry's place in the delivery-time order (see timeKey). A
// snapshot stores it so that RestoreNACK rebuilds that order exactly
// without walking the entries by time.
func (n NACK) Order() uint64 { return n.order }

// ScanByID calls fn for each pending entry in ID order until fn returns
// false.
func (g *Group) ScanByID(fn func(NACK) bool) { g.pel.Scan(fn) }

// RestoreNACK adds a pending entry read from a snapshot, owned by owner (a
// consumer of g) or released if owner is nil, at the delivery-time place
// order it had (NACK.Order). Entries may come in any order; in ID order, as
// snapshots write them, each is an append.
func (g *Group) RestoreNACK(n NACK, owner *Consumer, order uint64) {
	n.owner = 0
	if owner != nil {
		n.owner = owner.num
		owner.pel.Append(n.ID)
	} else {
		g.released++
	}
	n.order = order
	g.nextOrder = max(g.nextOrder, order+1)
	g.pel.Append(n)
	if g.byTime != nil {
		g.byTime.Set(n.key())
	}
}

// NextOrder is the delivery-time place order the next delivery gets;
// snapshots keep it, so that a restored group numbers deliveries as the
// live one would have.
func (g *Group) NextOrder() uint64 { return g.nextOrder }

// RestoreNextOrder sets NextOrder as a snapshot had it, once the pending
// entries are restored.
func (g *Group) RestoreNextOrder(n uint64) { g.nextOrder = max(g.nextOrder, n) }
