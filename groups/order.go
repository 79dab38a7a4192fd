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
// ever seen: a key is known while one of its entries is.
type ordering struct {
	field string
	keys  map[string]*keyState     // keys with entries pending or held
	keyOf map[streams.ID]*keyState // pending or held entries that have a key
	ready *btree.BTreeG[readyKey]  // keys whose turn it is, by their oldest held entry
	nheld int
	spare []*keyState // states of keys forgotten, to reuse (keys come and go with each entry)
}

// keyState is one key's entries pending and held.
type keyState struct {
	key  string
	busy int          // entries pending
	held []streams.ID // entries held, oldest first
}

// readyKey is a key whose oldest held entry may go out now.
type readyKey struct {
	head streams.ID
	k    *keyState
}

func readyLess(a, b readyKey) bool { return a.head.Less(b.head) }

func newOrdering(field string) *ordering {
	return &ordering{field: field, keys: map[string]*keyState{}, keyOf: map[streams.ID]*keyState{},
		ready: btree.NewBTreeGOptions(readyLess, btree.Options{NoLocks: true})}
}

// OrderBy is the field entries are ordered by, "" when they are not.
func (g *Group) OrderBy() string {
	if g.order == nil {
		return ""
	}
	return g.order.field
}

// Held counts the entries held back for their key's turn.
func (g *Group) Held() int {
	if g.order == nil {
		return 0
	}
	return g.order.nheld
}

// KeyOf returns the ordering key of entry fields fv (a slice of fv), and
// whether it has one.
func (g *Group) KeyOf(fv [][]byte) ([]byte, bool) {
	if g.order == nil || g.order.field == "" {
		return nil, false
	}
	for i := 0; i+1 < len(fv); i += 2 {
		if string(fv[i]) == g.order.field {
			return fv[i+1], true
		}
	}
	return nil, false
}

// Free reports whether key has no entry pending or held: its next entry
// may go out.
func (g *Group) Free(key []byte) bool {
	if g.order == nil {
		return true
	}
	k := g.order.keys[string(key)]
	return k == nil || (k.busy == 0 && len(k.held) == 0)
}

// SetOrderBy turns per-key ordering on (field) or off (""). Turning it on
// counts the keys of the entries already pending, which keyOf finds (ok
// false: no key, or the entry is gone); it needs no entry held (a new
// field cannot be set while entries wait on the old one's keys). Turned
// off, each key's held entries go out one per read, oldest first, with no
// regard to entries pending.
func (g *Group) SetOrderBy(field string, keyOf func(streams.ID) (string, bool)) {
	if field == "" {
		if g.order != nil {
			g.order.field = ""
			g.order.rebuildReady()
			g.order.dropIfDone(g)
		}
		return
	}
	o := newOrdering(field)
	g.pel.Scan(func(n NACK) bool {
		if k, ok := keyOf(n.ID); ok {
			ks := o.state([]byte(k))
			ks.busy++
			o.keyOf[n.ID] = ks
		}
		return true
	})
	g.order = o
}

// Hold puts id, whose key is key, back for its key's turn (a read passed
// it over while an earlier entry of key was pending or held).
func (g *Group) Hold(id streams.ID, key []byte) {
	o := g.order
	k := o.state(key)
	was, head := o.readyHead(k)
	k.held = append(k.held, id)
	o.keyOf[id] = k
	o.nheld++
	o.settle(k, was, head)
}

// Ready calls fn for each key whose turn it is with the key's held
// entries, oldest first, in the order of their oldest, until fn returns
// false; fn must not change the group or keep ids.
func (g *Group) Ready(fn func(ids []streams.ID) bool) {
	if g.order == nil {
		return
	}
	g.order.ready.Scan(func(r readyKey) bool { return fn(r.k.held) })
}

// HasReady reports whether a held entry may go out now.
func (g *Group) HasReady() bool { return g.order != nil && g.order.ready.Len() > 0 }

// Unhold takes id out of the held set (it is delivered, claimed or gone);
// it is usually its key's oldest held entry.
func (g *Group) Unhold(id streams.ID) {
	o := g.order
	if o == nil {
		return
	}
	k := o.keyOf[id]
	if k == nil {
		return
	}
	i := 0
	for i < len(k.held) && k.held[i] != id {
		i++
	}
	if i == len(k.held) {
		return // pending, not held
	}
	was, head := o.readyHead(k)
	if i == 0 {
		k.held = k.held[1:]
	} else {
		k.held = append(k.held[:i], k.held[i+1:]...)
	}
	delete(o.keyOf, id)
	o.nheld--
	o.settle(k, was, head)
	o.dropIfDone(g)
}

// DropHeldAfter drops the held entries after id: XGROUP SETID moved the
// group back to id, so they will be read again as new.
func (g *Group) DropHeldAfter(id streams.ID) {
	if g.order == nil {
		return
	}
	var drop []streams.ID
	for _, k := range g.order.keys {
		for _, h := range k.held {
			if id.Less(h) {
				drop = append(drop, h)
			}
		}
	}
	for _, h := range drop {
		g.Unhold(h)
	}
}

// Occupy notes that id, now pending, holds key's turn.
func (g *Group) Occupy(id streams.ID, key []byte) {
	o := g.order
	if o == nil || o.field == "" {
		return
	}
	if _, had := o.keyOf[id]; had {
		return
	}
	k := o.state(key)
	was, head := o.readyHead(k)
	k.busy++
	o.keyOf[id] = k
	o.settle(k, was, head)
}

// leave notes that id, which was pending, is no longer; its key's next
// held entry gets its turn when none of the key's entries is pending.
func (g *Group) leave(id streams.ID) {
	o := g.order
	if o == nil {
		return
	}
	k := o.keyOf[id]
	if k == nil {
		return
	}
	was, head := o.readyHead(k)
	delete(o.keyOf, id)
	k.busy--
	o.settle(k, was, head)
}

// EarliestPending reports whether id is the oldest pending entry of its
// key, so that redelivering it keeps the key's order (several can be
// pending when ORDERBY was set after they were delivered).
func (g *Group) EarliestPending(id streams.ID) bool {
	o := g.order
	if o == nil || o.field == "" {
		return true
	}
	k := o.keyOf[id]
	if k == nil || k.busy <= 1 {
		return true
	}
	first := true
	g.pel.Ascend(NACK{}, func(n NACK) bool {
		if !n.ID.Less(id) {
			return false
		}
		if o.keyOf[n.ID] == k {
			first = false
			return false
		}
		return true
	})
	return first
}

// state returns key's state, made if it has none.
func (o *ordering) state(key []byte) *keyState {
	k := o.keys[string(key)]
	if k == nil {
		if n := len(o.spare); n > 0 {
			k, o.spare = o.spare[n-1], o.spare[:n-1]
			k.key = string(key)
		} else {
			k = &keyState{key: string(key)}
		}
		o.keys[k.key] = k
	}
	return k
}

// readyHead reports whether it is k's turn, and its oldest held entry.
func (o *ordering) readyHead(k *keyState) (bool, streams.ID) {
	if len(k.held) == 0 || (k.busy > 0 && o.field != "") {
		return false, streams.ID{}
	}
	return true, k.held[0]
}

// settle updates k's place among the ready keys after a change (was and
// head are what readyHead said before it), and forgets k once it has no
// entry pending or held.
func (o *ordering) settle(k *keyState, was bool, head streams.ID) {
	now, newHead := o.readyHead(k)
	if was && (!now || newHead != head) {
		o.ready.Delete(readyKey{head: head})
	}
	if now && (!was || newHead != head) {
		o.ready.Set(readyKey{newHead, k})
	}
	if k.busy == 0 && len(k.held) == 0 {
		delete(o.keys, k.key)
		if len(o.spare) < 1024 {
			*k = keyState{held: k.held[:0]}
			o.spare = append(o.spare, k)
		}
	}
}

// dropIfDone ends the ordering state of a group whose ORDERBY was turned
// off once its last held entry went.
func (o *ordering) dropIfDone(g *Group) {
	if o.field == "" && o.nheld == 0 {
		g.order = nil
	}
}

func (o *ordering) rebuildReady() {
	o.ready.Clear()
	for _, k := range o.keys {
		if ok, head := o.readyHead(k); ok {
			o.ready.Set(readyKey{head, k})
		}
	}
}

// EachHeld calls fn for every key with entries held, and for every entry
// of it, oldest first (snapshots).
func (g *Group) EachHeld(fn func(key string, ids []streams.ID)) {
	if g.order == nil {
		return
	}
	for _, k := range g.order.keys {
		if len(k.held) > 0 {
			fn(k.key, k.held)
		}
	}
}

// EachPendingKey calls fn for every pending entry with an ordering key
// (snapshots: its entry may be gone from the stream by the next start).
func (g *Group) EachPendingKey(fn func(id streams.ID, key string)) {
	if g.order == nil {
		return
	}
	g.pel.Scan(func(n NACK) bool {
		if k := g.order.keyOf[n.ID]; k != nil {
			fn(n.ID, k.key)
		}
		return true
	})
}

// RestoreOrder installs ordering state read from a snapshot: the field
// (maybe "" while held entries drain), each key's held entries and the
// keys of pending entries.
func (g *Group) RestoreOrder(field string, held map[string][]streams.ID, pending map[streams.ID]string) {
	if field == "" && len(held) == 0 {
		g.order = nil
		return
	}
	o := newOrdering(field)
	for id, key := range pending {
		k := o.state([]byte(key))
		k.busy++
		o.keyOf[id] = k
	}
	for key, ids := range held {
		k := o.state([]byte(key))
		k.held = ids
		o.nheld += len(ids)
		for _, id := range ids {
			o.keyOf[id] = k
		}
	}
	o.rebuildReady()
	g.order = o
}

// clone copies the ordering state for a frozen clone.
func (o *ordering) clone() *ordering {
	if o == nil {
		return nil
	}
	c := newOrdering(o.field)
	for key, k := range o.keys {
		c.keys[key] = &keyState{key: key, busy: k.busy, held: append([]streams.ID(nil), k.held...)}
	}
	for id, k := range o.keyOf {
		c.keyOf[id] = c.keys[k.key]
	}
	c.nheld = o.nheld
	c.rebuildReady()
	return c
}
