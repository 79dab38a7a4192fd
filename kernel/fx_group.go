package kernel

import (
	"fmt"

	"sluice/groups"
	"sluice/streams"
)

// groupOf finds the named group of the target's stream for replay.
func groupOf(e *Engine, t *target, name []byte) (*Stream, *groups.Group, error) {
	s, err := t.stream(e)
	if err != nil {
		return nil, nil, err
	}
	g := s.Group(name)
	if g == nil {
		return nil, nil, fmt.Errorf("key %q has no group %q", t.key, name)
	}
	return s, g, nil
}

// consumerOf finds the named consumer of g for replay.
func consumerOf(g *groups.Group, name []byte) (*groups.Consumer, error) {
	cn := g.Consumer(name)
	if cn == nil {
		return nil, fmt.Errorf("group %q has no consumer %q", g.Name(), name)
	}
	return cn, nil
}

// CreateGroup adds a group to s.
func (c *Ctx) CreateGroup(key []byte, s *Stream, name []byte, last streams.ID, entriesRead int64) {
	r := c.e.begin(c.dbi, key, opGroupNew)
	r.bytes(name)
	r.id(last)
	r.v(entriesRead)
	g := groups.New(string(name), last, entriesRead)
	s.addGroup(g)
	c.e.changed(c.dbi, key, changeData)
	if d := c.e.groupDefaults(); d != (groups.Settings{}) {
		c.ConfigureGroup(key, g, d)
	}
}

func replayGroupNew(e *Engine, d *decoder, t *target) error {
	name, last, read := d.bytes(), d.id(), d.v()
	if d.err != nil {
		return d.err
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	if s.Group(name) != nil {
		return fmt.Errorf("group %q exists", name)
	}
	s.addGroup(groups.New(string(name), last, read))
	e.changed(t.db, t.key, changeData)
	return nil
}

// SetGroupID moves a group as XGROUP SETID does.
func (c *Ctx) SetGroupID(key []byte, g *groups.Group, last streams.ID, entriesRead int64) {
	r := c.e.begin(c.dbi, key, opGroupSetID)
	r.str(g.Name())
	r.id(last)
	r.v(entriesRead)
	applyGroupSetID(g, last, entriesRead)
	c.e.changed(c.dbi, key, changeAdded) // a rewound group may serve its waiters
}

func replayGroupSetID(e *Engine, d *decoder, t *target) error {
	name, last, read := d.bytes(), d.id(), d.v()
	if d.err != nil {
		return d.err
	}
	_, g, err := groupOf(e, t, name)
	if err != nil {
		return err
	}
	applyGroupSetID(g, last, read)
	return nil
}

// applyGroupSetID moves g; entries held for their key's turn after last
// are dropped, to be read again as new.
func applyGroupSetID(g *groups.Group, last streams.ID, read int64) {
	g.SetLastID(last, read)
	g.DropHeldAfter(last)
}

// RaiseGroupID moves the group's last delivered ID forward to id, leaving
// its read counter, as XCLAIM LASTID does; nothing happens if it is
// already there.
func (c *Ctx) RaiseGroupID(key []byte, g *groups.Group, id streams.ID) {
	if !g.LastID().Less(id) {
		return
	}
	r := c.e.begin(c.dbi, key, opGroupRaiseID)
	r.str(g.Name())
	r.id(id)
	g.RaiseLastID(id)
	c.e.changed(c.dbi, key, changeData)
}

func replayGroupRaiseID(e *Engine, d *decoder, t *target) error {
	name, id := d.bytes(), d.id()
	if d.err != nil {
		return d.err
	}
	_, g, err := groupOf(e, t, name)
	if err != nil {
		return err
	}
	g.RaiseLastID(id)
	return nil
}

// DestroyGroup removes a group; its blocked readers run again and get
// NOGROUP.
func (c *Ctx) DestroyGroup(key []byte, s *Stream, name []byte) {
	r := c.e.begin(c.dbi, key, opGroupDel)
	r.bytes(name)
	s.deleteGroup(string(name))
	c.e.changed(c.dbi, key, changeKey)
}

func replayGroupDel(e *Engine, d *decoder, t *target) error {
	name := d.bytes()
	if d.err != nil {
		return d.err
	}
	s, err := t.stream(e)
	if err != nil {
		return err
	}
	if !s.deleteGroup(string(name)) {
		return fmt.Errorf("no group %q to destroy", name)
	}
	return nil
}

// CreateConsumer adds a consumer as XGROUP CREATECONSUMER does; false if
// the name is taken.
func (c *Ctx) CreateConsumer(key []byte, g *groups.Group, name []byte) bool {
	if g.Consumer(name) != nil {
		return false
	}
	r := c.e.begin(c.dbi, key, opConsumerNew)
	r.str(g.Name())
	r.bytes(name)
	r.v(c.Now)
	g.CreateConsumer(name, c.Now)
	return true
}

func replayConsumerNew(e *Engine, d *decoder, t *target) error {
	group, name, now := d.bytes(), d.bytes(), d.v()
	if d.err != nil {
		return d.err
	}
	_, g, err := groupOf(e, t, group)
	if err != nil {
		return err
	}
	if _, created := g.CreateConsumer(name, now); !created {
		return fmt.Errorf("consumer %q exists", name)
	}
	return nil
}

// DeleteConsumer removes a consumer and its pending entries, returning how
// many it had; ok is false when there was no such consumer.
func (c *Ctx) DeleteConsumer(key []byte, g *groups.Group, name []byte) (pending int, ok bool) {
	if g.Consumer(name) == nil {
		return 0, false
	}
	r := c.e.begin(c.dbi, key, opConsumerDel)
	r.str(g.Name())
	r.bytes(name)
	pending, ok = g.DeleteConsumer(name)
	c.e.changed(c.dbi, key, freed(g))
	return pending, ok
}

func replayConsumerDel(e *Engine, d *decoder, t *target) error {
	group, name := d.bytes(), d.bytes()
	if d.err != nil {
		return d.err
	}
	_, g, err := groupOf(e, t, group)
	if err != nil {
		return err
	}
	if _, ok := g.DeleteConsumer(name); !ok {
		return fmt.Errorf("no consumer %q to delete", name)
	}
	return nil
}

// SeeConsumer returns the named consumer, created if need be, with its
// seen time set to now, as XREADGROUP, XCLAIM and XAUTOCLAIM do first. The
// seen time is logged only when it moves, so a client polling an empty
// stream costs a small record per call and a blocked one none.
func (c *Ctx) SeeConsumer(key []byte, g *groups.Group, name []byte) *groups.Consumer {
	if cn := g.Consumer(name); cn != nil && cn.SeenTime() == c.Now {
		return cn
	}
	r := c.e.begin(c.dbi, key, opSeen)
	r.str(g.Name())
	r.bytes(name)
	r.v(c.Now)
	cn, _ := g.Seen(name, c.Now)
	return cn
}

func replaySeen(e *Engine, d *decoder, t *target) error {
	group, name, now := d.bytes(), d.bytes(), d.v()
	if d.err != nil {
		return d.err
	}
	_, g, err := groupOf(e, t, group)
	if err != nil {
		return err
	}
	g.Seen(name, now)
	return nil
}

// Deliver records that XREADGROUP ">" handed ids (in ID order) to cn at
// the command's time: each becomes pending with one delivery (unless
// noack), and the group's last delivered ID and read counter move past
// them.
func (c *Ctx) Deliver(key []byte, s *Stream, g *groups.Group, cn *groups.Consumer, ids []streams.ID, noack bool) {
	if len(ids) == 0 {
		return
	}
	last, read := g.Advanced(ids, s.Info())
	r := c.e.begin(c.dbi, key, opDeliver)
	r.str(g.Name())
	r.str(cn.Name())
	r.v(c.Now)
	r.flag(noack)
	r.id(last)
	r.v(read)
	r.ids(ids)
	var keyed []Keyed
	if ordered(g) {
		keyed = lookupKeys(s, g, ids) // (XREADGROUP takes DeliverOrdered for these)
	}
	applyDeliver(g, cn, c.Now, noack, last, read, ids, keyed)
	g.CountDelivered(len(ids)) // a command's only: replay counts nothing (groups.Traffic)
	c.e.changed(c.dbi, key, changeData)
}

// applyDeliver delivers ids; keyed, for a group with ORDERBY, has each
// one's ordering key: a held entry whose turn came is no longer held, and
// each takes its key's turn.
func applyDeliver(g *groups.Group, cn *groups.Consumer, now int64, noack bool, last streams.ID, read int64, ids []streams.ID, keyed []Keyed) {
	for i, id := range ids {
		if keyed != nil && !g.LastID().Less(id) {
			g.Unhold(id) // held entries are all at or before the last ID
		}
		switch {
		case noack:
		case keyed != nil && keyed[i].Has:
			g.DeliverKey(id, cn, now, keyed[i].Key)
		default:
			g.Deliver(id, cn, now)
		}
	}
	g.SetLastID(last, read)
}

func replayDeliver(e *Engine, d *decoder, t *target) error {
	group, name, now, noack, last, read := d.bytes(), d.bytes(), d.v(), d.flag(), d.id(), d.v()
	ids := readIDs(e, d)
	if d.err != nil {
		return d.err
	}
	s, g, err := groupOf(e, t, group)
	if err != nil {
		return err
	}
	cn, err := consumerOf(g, name)
	if err != nil {
		return err
	}
	var keyed []Keyed
	if ordered(g) {
		keyed = lookupKeys(s, g, ids)
	}
	applyDeliver(g, cn, now, noack, last, read, ids, keyed)
	return nil
}

// Place makes each entry of ns pending for cn with its DeliveryTime and
// DeliveryCount, as claims and redeliveries decide them; active marks cn
// active at the command's time.
func (c *Ctx) Place(key []byte, g *groups.Group, cn *groups.Consumer, ns []groups.NACK, active bool) {
	if len(ns) == 0 {
		return
	}
	r := c.e.begin(c.dbi, key, opPlace)
	r.str(g.Name())
	r.str(cn.Name())
	at := int64(-1)
	if active {
		at = c.Now
	}
	r.v(at)
	r.uv(uint64(len(ns)))
	for _, n := range ns {
		r.id(n.ID)
		r.v(n.DeliveryTime)
		r.v(n.DeliveryCount)
	}
	applyPlace(c.lookupOrderStream(key, g), g, cn, ns)
	g.CountDelivered(len(ns))
	if active {
		cn.MarkActive(c.Now)
	}
	c.e.changed(c.dbi, key, changeData)
}

// applyPlace places each entry; one that was not pending takes its key's
// turn in an ORDERBY group (s is the stream then, nil otherwise).
func applyPlace(s *Stream, g *groups.Group, cn *groups.Consumer, ns []groups.NACK) {
	for _, n := range ns {
		_, had := g.Lookup(n.ID)
		g.Place(n.ID, cn, n.DeliveryTime, n.DeliveryCount)
		if !had {
			nowPending(s, g, n.ID)
		}
	}
}

// nowPending notes, in an ORDERBY group (s non-nil), that id was made
// pending other than by a read (XCLAIM or XNACK FORCE): it takes its key's
// turn, and if it was held, it is no longer.
func nowPending(s *Stream, g *groups.Group, id streams.ID) {
	if s == nil {
		return
	}
	g.Unhold(id)
	if k := lookupKeys(s, g, []streams.ID{id}); k[0].Has {
		g.Occupy(id, k[0].Key)
	}
}

// orderStream is s when g's changes involve ordering state, else nil.
func orderStream(s *Stream, g *groups.Group) *Stream {
	if ordered(g) {
		return s
	}
	return nil
}

// lookupOrderStream is key's stream when g's changes involve ordering
// state, else nil.
func (c *Ctx) lookupOrderStream(key []byte, g *groups.Group) *Stream {
	if !ordered(g) {
		return nil
	}
	s, _ := c.db.Lookup(string(key), c.Now).(*Stream)
	return s
}

func replayPlace(e *Engine, d *decoder, t *target) error {
	group, name, active := d.bytes(), d.bytes(), d.v()
	n := d.count(4)
	ns := make([]groups.NACK, n)
	for i := range ns {
		ns[i] = groups.NACK{ID: d.id(), DeliveryTime: d.v(), DeliveryCount: d.v()}
	}
	if d.err != nil {
		return d.err
	}
	s, g, err := groupOf(e, t, group)
	if err != nil {
		return err
	}
	cn, err := consumerOf(g, name)
	if err != nil {
		return err
	}
	applyPlace(orderStream(s, g), g, cn, ns)
	if active >= 0 {
		cn.MarkActive(active)
	}
	return nil
}

// Ack removes ids from the group's PEL and returns how many were pending.
// Only those are logged.
func (c *Ctx) Ack(key []byte, g *groups.Group, ids []streams.ID) int64 {
	first := 0
	for first < len(ids) {
		if _, ok := g.Lookup(ids[first]); ok {
			break
		}
		first++
	}
	if first == len(ids) {
		return 0
	}
	r := c.e.begin(c.dbi, key, opAck)
	r.str(g.Name())
	mark := r.reserveCount()
	l := idList{r: r}
	for _, id := range ids[first:] {
		if g.Ack(id) {
			l.add(id)
		}
	}
	n := int64(l.n)
	r.setCount(mark, uint64(n))
	g.CountAcked(n)
	c.e.changed(c.dbi, key, freed(g))
	return n
}

// freed is how a change that takes entries out of g's PEL changed the
// key: it may let entries held for their key's turn go (ORDERBY).
func freed(g *groups.Group) change {
	if g.HasReady() {
		return changeAdded
	}
	return changeData
}

// Unown hands entries back to the group as XNACK does, with the delivery
// counts decided for them.
func (c *Ctx) Unown(key []byte, g *groups.Group, ids []streams.ID, counts []int64) {
	if len(ids) == 0 {
		return
	}
	r := c.e.begin(c.dbi, key, opUnown)
	r.str(g.Name())
	r.uv(uint64(len(ids)))
	for i, id := range ids {
		r.id(id)
		r.v(counts[i])
	}
	applyUnown(c.lookupOrderStream(key, g), g, ids, counts)
	// Released entries are claimable at once: XREADGROUP CLAIM readers
	// run again.
	c.e.changed(c.dbi, key, changeAdded)
}

func replayUnown(e *Engine, d *decoder, t *target) error {
	group := d.bytes()
	n := d.count(3)
	ids, counts := make([]streams.ID, n), make([]int64, n)
	for i := range ids {
		ids[i], counts[i] = d.id(), d.v()
	}
	if d.err != nil {
		return d.err
	}
	s, g, err := groupOf(e, t, group)
	if err != nil {
		return err
	}
	applyUnown(orderStream(s, g), g, ids, counts)
	return nil
}

func applyUnown(s *Stream, g *groups.Group, ids []streams.ID, counts []int64) {
	for i, id := range ids {
		_, had := g.Lookup(id)
		g.Unown(id, counts[i])
		if !had {
			nowPending(s, g, id)
		}
	}
}
