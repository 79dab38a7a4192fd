package groups

import (
	"github.com/tidwall/btree"

	"sluice/streams"
)

// Per-key ordering (XGROUP CONFIG ORDERBY field), SQS FIFO's message
// groups on a consumer group: while an entry whose field holds key K is
// pending, no later entry with key K is handed out; XREADGROUP ">" holds
// such entries back and serves the next ones whose key is free, and a
// held entry goes out, oldest first, as soon as its key is free. Entries
// without the field are not ordered.
//
// The state is bounded by the entries pending or held, not by the keys
// ever seen: a key is known while one of its entries is, and for a while
// after (up to idleKeys of them), since a key's entries mostly come one
// after another. A pending entry names its key by number in its NACK
// (NACK.keyRef), which keeps the PEL pointer-free and costs no map entry
// per pending entry.
type keyOrder struct {
	field   string
	refs    map[string]uint32     // key -> its number
	keys    []keyState            // by number-1
	free    []uint32              // numbers of forgotten keys, for reuse
	idle    []uint32              // keys queued to be forgotten when idle, oldest first
	nIdle   int                   // keys with nothing pending or held
	heldOf  map[streams.ID]uint32 // held entry -> its key's number
	ready   *btree.BTreeG[readyKey]
	nheld   int
	maxIdle int // idleKeys; tests lower it
}

// idleKeys is how many keys with nothing pending or held a group keeps
// numbered, so that a busy key does not cost a map insert and delete for
// each of its entries.
const idleKeys = 16384

// keyState is one key's entries pending and held.
type keyState struct {
	key    string
	busy   int          // entries pending
	held   []streams.ID // entries held, oldest first
	idle   bool         // nothing pending or held: counted in nIdle
	queued bool         // in keyOrder.idle
}

func (k *keyState) active() bool { return k.busy > 0 || len(k.held) > 0 }

// readyKey is a key whose turn it is, by its oldest held entry.
type readyKey struct {
	head streams.ID
	ref  uint32
}

func readyLess(a, b readyKey) bool { return a.head.Less(b.head) }

func newKeyOrder(field string) *keyOrder {
	return &keyOrder{field: field, refs: map[string]uint32{}, heldOf: map[streams.ID]uint32{},
		ready: btree.NewBTreeGOptions(readyLess, btree.Options{NoLocks: true}), maxIdle: idleKeys}
}

// OrderBy is the field entries are ordered by, "" when they are not.
func (g *Group) OrderBy() string {
	if g.keyed == nil {
		return ""
	}
	return g.keyed.field
}

// Held counts the entries held back for their key's turn.
func (g *Group) Held() int {
	if g.keyed == nil {
		return 0
	}
	return g.keyed.nheld
}

// KeyOf returns the ordering key of entry fields fv (a slice of fv), and
// whether it has one.
func (g *Group) KeyOf(fv [][]byte) ([]byte, bool) {
	if g.keyed == nil || g.keyed.field == "" {
		return nil, false
	}
	for i := 0; i+1 < len(fv); i += 2 {
		if string(fv[i]) == g.keyed.field {
			return fv[i+1], true
		}
	}
	return nil, false
}

// Free reports whether key has no entry pending or held: its next entry
// may go out.
func (g *Group) Free(key []byte) bool {
	if g.keyed == nil {
		return true
	}
	r := g.keyed.refs[string(key)]
	return r == 0 || !g.keyed.keys[r-1].active()
}

// SetOrderBy turns per-key ordering on (field) or off (""). Turning it on
// gives the entries already pending their keys, which keyOf finds (ok
// false: no key, or the entry is gone); it needs no entry held (a new
// field cannot be set while entries wait on the old one's keys). Turned
// off, each key's held entries go out one per read, oldest first, with no
// regard to entries pending.
func (g *Group) SetOrderBy(field string, keyOf func(streams.ID) (string, bool)) {
	if field == "" {
		if o := g.keyed; o != nil {
			o.field = ""
			o.rebuildReady()
			g.dropIfDone()
		}
		return
	}
	o := newKeyOrder(field)
	var ns []NACK
	g.pel.Scan(func(n NACK) bool {
		n.keyRef = 0
		if k, ok := keyOf(n.ID); ok {
			n.keyRef = o.ref([]byte(k))
			o.keys[n.keyRef-1].busy++
		}
		ns = append(ns, n)
		return true
	})
	for _, n := range ns {
		g.pel.Set(n)
	}
	g.keyed = o
}

// Hold puts id, whose key is key, back for its key's turn (a read passed
// it over while an earlier entry of key was pending or held).
func (g *Group) Hold(id streams.ID, key []byte) {
	o := g.keyed
	r := o.ref(key)
	k := &o.keys[r-1]
	was, head := o.turn(k)
	k.held = append(k.held, id)
	o.heldOf[id] = r
	o.nheld++
	o.settle(r, was, head)
}

// Ready calls fn for each key whose turn it is with the key's held
// entries, oldest first, in the order of their oldest, until fn returns
// false; fn must not change the group or keep ids.
func (g *Group) Ready(fn func(ids []streams.ID) bool) {
	if g.keyed == nil {
		return
	}
	o := g.keyed
	o.ready.Scan(func(r readyKey) bool { return fn(o.keys[r.ref-1].held) })
}

// HasReady reports whether a held entry may go out now.
func (g *Group) HasReady() bool { return g.keyed != nil && g.keyed.ready.Len() > 0 }

// Unhold takes id out of the held set (it is delivered, claimed or gone);
// it is usually its key's oldest held entry.
func (g *Group) Unhold(id streams.ID) {
	o := g.keyed
	if o == nil {
		return
	}
	r := o.heldOf[id]
	if r == 0 {
		return
	}
	k := &o.keys[r-1]
	i := 0
	for k.held[i] != id {
		i++
	}
	was, head := o.turn(k)
	if i == 0 {
		k.held = k.held[1:]
	} else {
		k.held = append(k.held[:i], k.held[i+1:]...)
	}
	delete(o.heldOf, id)
	o.nheld--
	o.settle(r, was, head)
	g.dropIfDone()
}

// DropHeldAfter drops the held entries after id: XGROUP SETID moved the
// group back to id, so they will be read again as new.
func (g *Group) DropHeldAfter(id streams.ID) {
	if g.keyed == nil {
		return
	}
	var drop []streams.ID
	for h := range g.keyed.heldOf {
		if id.Less(h) {
			drop = append(drop, h)
		}
	}
	for _, h := range drop {
		g.Unhold(h)
	}
}

// DeliverKey is Deliver for an entry whose ordering key is key: it takes
// its key's turn.
func (g *Group) DeliverKey(id streams.ID, c *Consumer, now int64, key []byte) {
	o := g.keyed
	if o == nil || o.field == "" {
		g.Deliver(id, c, now)
		return
	}
	if last, ok := g.pel.Max(); ok && !last.ID.Less(id) {
		g.Deliver(id, c, now)
		g.Occupy(id, key)
		return
	}
	r := o.ref(key)
	was, head := o.turn(&o.keys[r-1])
	o.keys[r-1].busy++
	o.settle(r, was, head)
	g.deliverNew(id, c, now, r)
}

// Occupy notes that id, pending, holds key's turn; nothing changes if it
// already did.
func (g *Group) Occupy(id streams.ID, key []byte) {
	o := g.keyed
	if o == nil || o.field == "" {
		return
	}
	n, ok := g.pel.Get(NACK{ID: id})
	if !ok || n.keyRef != 0 {
		return
	}
	r := o.ref(key)
	was, head := o.turn(&o.keys[r-1])
	o.keys[r-1].busy++
	o.settle(r, was, head)
	n.keyRef = r
	g.pel.Set(n)
}

// leave notes that n, which was pending, is no longer; its key's next
// held entry gets its turn when none of the key's entries is pending.
func (g *Group) leave(n NACK) {
	o := g.keyed
	if o == nil || n.keyRef == 0 {
		return
	}
	k := &o.keys[n.keyRef-1]
	was, head := o.turn(k)
	k.busy--
	o.settle(n.keyRef, was, head)
}

// EarliestPending reports whether id is the oldest pending entry of its
// key, so that redelivering it keeps the key's order (several can be
// pending when ORDERBY was set after they were delivered).
func (g *Group) EarliestPending(id streams.ID) bool {
	o := g.keyed
	if o == nil || o.field == "" {
		return true
	}
	n, ok := g.Lookup(id)
	if !ok || n.keyRef == 0 || o.keys[n.keyRef-1].busy <= 1 {
		return true
	}
	first := true
	g.pel.Ascend(NACK{}, func(p NACK) bool {
		if !p.ID.Less(id) {
			return false
		}
		if p.keyRef == n.keyRef {
			first = false
		}
		return first
	})
	return first
}

// ref returns key's number, giving it one if it has none.
func (o *keyOrder) ref(key []byte) uint32 {
	if r := o.refs[string(key)]; r != 0 {
		return r
	}
	var r uint32
	if n := len(o.free); n > 0 {
		r, o.free = o.free[n-1], o.free[:n-1]
		o.keys[r-1].key = string(key)
	} else {
		o.keys = append(o.keys, keyState{key: string(key)})
		r = uint32(len(o.keys))
	}
	o.refs[o.keys[r-1].key] = r
	return r
}

// turn reports whether it is k's turn, and its oldest held entry.
func (o *keyOrder) turn(k *keyState) (bool, streams.ID) {
	if len(k.held) == 0 || (k.busy > 0 && o.field != "") {
		return false, streams.ID{}
	}
	return true, k.held[0]
}

// settle updates key r's place among the ready keys after a change (was
// and head are what turn said before it), and once the key has no entry
// pending or held, puts it among the idle ones, forgetting the oldest of
// those past maxIdle.
func (o *keyOrder) settle(r uint32, was bool, head streams.ID) {
	k := &o.keys[r-1]
	now, newHead := o.turn(k)
	if was && (!now || newHead != head) {
		o.ready.Delete(readyKey{head: head})
	}
	if now && (!was || newHead != head) {
		o.ready.Set(readyKey{newHead, r})
	}
	if k.active() {
		if k.idle {
			k.idle = false
			o.nIdle--
		}
		return
	}
	if !k.idle {
		k.idle = true
		o.nIdle++
		if !k.queued {
			k.queued = true
			o.idle = append(o.idle, r)
		}
	}
	// Every idle key is queued, so this ends. A key active again since it
	// was queued leaves the queue, and joins it again when next idle.
	for o.nIdle > o.maxIdle {
		old := o.idle[0]
		o.idle = o.idle[1:]
		k := &o.keys[old-1]
		k.queued = false
		if k.idle {
			delete(o.refs, k.key)
			*k = keyState{held: k.held[:0]}
			o.free = append(o.free, old)
			o.nIdle--
		}
	}
}

// dropIfDone ends the ordering state of a group whose ORDERBY was turned
// off once its last held entry went. NACKs may still name key numbers;
// nothing reads them until SetOrderBy numbers keys afresh.
func (g *Group) dropIfDone() {
	if o := g.keyed; o != nil && o.field == "" && o.nheld == 0 {
		g.keyed = nil
	}
}

func (o *keyOrder) rebuildReady() {
	o.ready.Clear()
	for _, r := range o.refs {
		if ok, head := o.turn(&o.keys[r-1]); ok {
			o.ready.Set(readyKey{head, r})
		}
	}
}

// EachHeld calls fn for every key with entries held, and for every entry
// of it, oldest first (snapshots).
func (g *Group) EachHeld(fn func(key string, ids []streams.ID)) {
	if g.keyed == nil {
		return
	}
	for _, r := range g.keyed.refs {
		if k := &g.keyed.keys[r-1]; len(k.held) > 0 {
			fn(k.key, k.held)
		}
	}
}

// EachPendingKey calls fn for every pending entry with an ordering key
// (snapshots: its entry may be gone from the stream by the next start).
func (g *Group) EachPendingKey(fn func(id streams.ID, key string)) {
	if g.keyed == nil {
		return
	}
	g.pel.Scan(func(n NACK) bool {
		if n.keyRef != 0 {
			fn(n.ID, g.keyed.keys[n.keyRef-1].key)
		}
		return true
	})
}

// RestoreOrder installs ordering state read from a snapshot, once the
// pending entries are restored: the field (maybe "" while held entries
// drain), each key's held entries and the keys of pending entries.
func (g *Group) RestoreOrder(field string, held map[string][]streams.ID, pending map[streams.ID]string) {
	if field == "" && len(held) == 0 {
		g.keyed = nil
		return
	}
	o := newKeyOrder(field)
	g.keyed = o
	for id, key := range pending {
		n, ok := g.pel.Get(NACK{ID: id})
		if !ok {
			continue
		}
		n.keyRef = o.ref([]byte(key))
		o.keys[n.keyRef-1].busy++
		g.pel.Set(n)
	}
	for key, ids := range held {
		r := o.ref([]byte(key))
		o.keys[r-1].held = ids
		o.nheld += len(ids)
		for _, id := range ids {
			o.heldOf[id] = r
		}
	}
	o.rebuildReady()
}

// clone copies the ordering state for a frozen clone (whose PEL copy
// keeps each NACK's key number).
func (o *keyOrder) clone() *keyOrder {
	if o == nil {
		return nil
	}
	c := *o
	c.refs = make(map[string]uint32, len(o.refs))
	for k, r := range o.refs {
		c.refs[k] = r
	}
	c.keys = make([]keyState, len(o.keys))
	for i, k := range o.keys {
		c.keys[i] = keyState{key: k.key, busy: k.busy, held: append([]streams.ID(nil), k.held...), idle: k.idle, queued: k.queued}
	}
	c.free = append([]uint32(nil), o.free...)
	c.idle = append([]uint32(nil), o.idle...)
	c.heldOf = make(map[streams.ID]uint32, len(o.heldOf))
	for id, r := range o.heldOf {
		c.heldOf[id] = r
	}
	c.ready = btree.NewBTreeGOptions(readyLess, btree.Options{NoLocks: true})
	c.rebuildReady()
	return &c
}
