// Package groups holds a stream consumer group: its pending entries list
// (PEL), consumers and delivery bookkeeping, modelled on Redis's streamCG,
// streamConsumer and streamNACK. It does no locking, I/O or clock reading:
// callers pass the time, and a function where a stream entry's existence
// matters.
package groups

import (
	"unsafe"

	"sluice/streams"

	"github.com/tidwall/btree"
)

// InvalidEntriesRead marks an unknown entries-read counter (Redis's
// SCG_INVALID_ENTRIES_READ); XINFO shows it as null.
const InvalidEntriesRead = -1

// Group is one consumer group of a stream.
type Group struct {
	name        string
	lastID      streams.ID
	entriesRead int64

	settings                  Settings
	deadLettered, dlqFailures int64
	keyed                     *keyOrder // nil unless ORDERBY is or was set
	traffic                   Traffic   // since the process started; see Traffic

	pel       *chunkSet[NACK]        // by ID
	byTime    *btree.BTreeG[timeKey] // the same NACKs by delivery time; see timeIndex
	consumers *btree.BTreeG[consumerItem]
	owners    []*Consumer // by number-1 (NACK.owner); nil where deleted
	free      []uint32    // numbers of deleted consumers, reused first
	released  int         // NACKs without an owner
	nextOrder uint64      // next timeKey.order
	// The last path into byTime: deliveries come in time order, so it is
	// usually next to the next one.
	timeHint btree.PathHint
}

// New returns an empty group.
func New(name string, lastID streams.ID, entriesRead int64) *Group {
	opts := btree.Options{NoLocks: true}
	return &Group{
		name:        name,
		lastID:      lastID,
		entriesRead: entriesRead,
		pel:         newChunkSet(nackLess),
		consumers:   btree.NewBTreeGOptions(consumerLess, opts),
	}
}

// Name is the group's name.
func (g *Group) Name() string { return g.name }

// LastID is the last delivered ID.
func (g *Group) LastID() streams.ID { return g.lastID }

// EntriesRead is the logical read counter, or InvalidEntriesRead.
func (g *Group) EntriesRead() int64 { return g.entriesRead }

// SetLastID moves the group as XGROUP SETID does.
func (g *Group) SetLastID(id streams.ID, entriesRead int64) {
	g.lastID, g.entriesRead = id, entriesRead
}

// RaiseLastID moves the last delivered ID forward only, leaving the read
// counter alone, as XCLAIM LASTID does. It reports whether it moved.
func (g *Group) RaiseLastID(id streams.ID) bool {
	if !g.lastID.Less(id) {
		return false
	}
	g.lastID = id
	return true
}

// Consumer looks a consumer up by name; nil if there is none.
func (g *Group) Consumer(name []byte) *Consumer {
	// The probe is not retained, so it may borrow name's bytes.
	probe := consumerItem{name: unsafe.String(unsafe.SliceData(name), len(name))}
	item, ok := g.consumers.Get(probe)
	if !ok {
		return nil
	}
	return item.c
}

// CreateConsumer adds a consumer as XGROUP CREATECONSUMER does, reporting
// false if the name is taken.
func (g *Group) CreateConsumer(name []byte, now int64) (*Consumer, bool) {
	if c := g.Consumer(name); c != nil {
		return c, false
	}
	c := newConsumer(string(name), now, -1)
	g.addConsumer(c)
	return c, true
}

// Seen returns the named consumer, creating it if needed, and records an
// attempted interaction at now, as XREADGROUP, XCLAIM and XAUTOCLAIM do
// first.
func (g *Group) Seen(name []byte, now int64) (c *Consumer, created bool) {
	c, created = g.CreateConsumer(name, now)
	c.seen = now
	return c, created
}

// DeleteConsumer removes a consumer and its pending entries, returning how
// many it owned; ok is false if there was no such consumer.
func (g *Group) DeleteConsumer(name []byte) (pending int, ok bool) {
	c := g.Consumer(name)
	if c == nil {
		return 0, false
	}
	pending = c.pel.Len()
	c.pel.Scan(func(id streams.ID) bool {
		if n, ok := g.pel.Delete(NACK{ID: id}); ok {
			if g.byTime != nil {
				g.byTime.DeleteHint(n.key(), &g.timeHint)
			}
			g.leave(n)
		}
		return true
	})
	g.consumers.Delete(consumerItem{name: c.name})
	// No NACK names c any more, so its number can go to the next consumer.
	g.owners[c.num-1] = nil
	g.free = append(g.free, c.num)
	g.trimOwners()
	return pending, true
}

// NumConsumers is how many consumers the group has.
func (g *Group) NumConsumers() int { return g.consumers.Len() }

// Consumers calls fn for each consumer in name order until it returns false.
func (g *Group) Consumers(fn func(*Consumer) bool) {
	g.consumers.Scan(func(item consumerItem) bool { return fn(item.c) })
}

// Clone returns a frozen copy for a snapshot in O(consumers): the trees are
// shared copy-on-write. It is for reading only; its NACKs still name the live
// consumers as owners, whose names are all a reader needs.
func (g *Group) Clone() *Group {
	ng := *g
	ng.pel = g.pel.Copy()
	ng.keyed = g.keyed.clone() // O(keys and entries held), only for ORDERBY groups
	if g.byTime != nil {
		ng.byTime = g.byTime.Copy()
	}
	ng.consumers = btree.NewBTreeGOptions(consumerLess, btree.Options{NoLocks: true})
	ng.owners = make([]*Consumer, len(g.owners))
	ng.free = nil // a clone is read, never changed
	g.consumers.Scan(func(item consumerItem) bool {
		c := *item.c
		c.pel = item.c.pel.Copy()
		ng.consumers.Load(consumerItem{name: c.name, c: &c})
		ng.owners[c.num-1] = &c
		return true
	})
	return &ng
}

// timeIndex returns the delivery-time index, built on first use: only
// XREADGROUP CLAIM (and a snapshot) walks it, and keeping it up to date
// costs every delivery and ack a second tree update, in an order acks do
// not follow. NACK.order is kept either way, so a late build is exact.
func (g *Group) timeIndex() *btree.BTreeG[timeKey] {
	if g.byTime == nil {
		g.byTime = btree.NewBTreeGOptions(timeLess, btree.Options{NoLocks: true})
		g.pel.Scan(func(n NACK) bool {
			g.byTime.Set(n.key())
			return true
		})
	}
	return g.byTime
}

// addConsumer numbers c and adds it. A deleted consumer's number is
// reused: its NACKs went with it, so no NACK can name the wrong consumer,
// and a million consumers created and deleted leave nothing behind.
func (g *Group) addConsumer(c *Consumer) {
	if n := len(g.free); n > 0 {
		c.num = g.free[n-1]
		g.free = g.free[:n-1]
		g.owners[c.num-1] = c
	} else {
		g.owners = append(g.owners, c)
		c.num = uint32(len(g.owners))
	}
	g.consumers.Set(consumerItem{name: c.name, c: c})
}

// trimOwners drops unused numbers from the end of owners, so the slice
// shrinks back when consumers go.
func (g *Group) trimOwners() {
	n := len(g.owners)
	for n > 0 && g.owners[n-1] == nil {
		n--
	}
	if n == len(g.owners) {
		return
	}
	clear(g.owners[n:])
	g.owners = g.owners[:n]
	free := g.free[:0]
	for _, num := range g.free {
		if int(num) <= n {
			free = append(free, num)
		}
	}
	g.free = free
	if n == 0 {
		g.owners, g.free = nil, nil
	}
}

// Owner returns the consumer that owns n, nil if n is released.
func (g *Group) Owner(n NACK) *Consumer {
	if n.owner == 0 {
		return nil
	}
	return g.owners[n.owner-1]
}
