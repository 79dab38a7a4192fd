package groups

// A snapshot writes a group as New's arguments, then every consumer
// (Consumers, with its seen and active times), then every NACK in
// delivery-time order (ScanByTime). Reading it back with RestoreConsumer and
// RestoreNACK in that order rebuilds the group exactly, down to which of two
// entries delivered in the same millisecond a claim takes first.

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

// RestoreNACK adds a pending entry read from a snapshot, owned by owner (a
// consumer of g) or released if owner is nil. Entries must come in
// ScanByTime order.
func (g *Group) RestoreNACK(n NACK, owner *Consumer) {
	n.owner = 0
	if owner != nil {
		n.owner = owner.num
		owner.pel.SetHint(n.ID, &owner.hint)
	}
	g.store(n, NACK{}, false)
}
