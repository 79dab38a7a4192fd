package groups

import (
	"sync/atomic"

	"github.com/tidwall/btree"
)

// chunkSet is an ordered set kept as a B-tree of sorted chunks of up to
// chunkCap items. It is shaped for a PEL: entries arrive in ID order and are
// appended to the last chunk, and acks come near the front, where removing
// the first item of a chunk moves nothing. A B-tree of entries shifts up to
// 254 of them per delete (a quarter of a 1M-entry replay's CPU went to
// that); here no change moves more than one chunk's items.
//
// Copy is O(1): the copy shares the chunks, and each side copies a chunk
// before it first changes it, as the B-tree does with its nodes. A chunk
// may be changed in place only by the set whose gen it carries.
//
// Chunks stay dense enough: one left with under a quarter of chunkCap
// merges with a neighbour when both fit in half, and its array shrinks when
// it has four times the room it needs.
type chunkSet[T any] struct {
	less   func(a, b T) bool
	chunks *btree.BTreeG[chunkRef[T]]
	hint   btree.PathHint
	n      int
	gen    uint64
	// recent are the two chunks used last (nil c: none). Operations
	// mostly fall in one of them and then skip the tree: deliveries in the
	// last chunk, acks in the first.
	recent [2]chunkRef[T]
	tail   chunkRef[T] // the last chunk, once looked up (nil c: not known)
}

// chunkRef is a chunk in the tree, ordered by low. Every item of c is at
// least low and below the next chunk's low; low is c's first item when the
// chunk was made, and stays put as items leave the front.
type chunkRef[T any] struct {
	low T
	c   *chunk[T]
}

type chunk[T any] struct {
	gen   uint64
	items []T // sorted, never empty while in a tree
}

const chunkCap = 64

var chunkGens atomic.Uint64

func newChunkSet[T any](less func(a, b T) bool) *chunkSet[T] {
	return &chunkSet[T]{
		less:   less,
		chunks: btree.NewBTreeGOptions(func(a, b chunkRef[T]) bool { return less(a.low, b.low) }, btree.Options{NoLocks: true}),
		gen:    chunkGens.Add(1),
	}
}

// Len is the number of items.
func (s *chunkSet[T]) Len() int { return s.n }

// Copy returns an independent set in O(1).
func (s *chunkSet[T]) Copy() *chunkSet[T] {
	c := &chunkSet[T]{less: s.less, chunks: s.chunks.Copy(), n: s.n, gen: chunkGens.Add(1)}
	s.gen = chunkGens.Add(1) // the chunks are shared now: s copies before changing one
	return c
}

// remember puts r first among the recent chunks.
func (s *chunkSet[T]) remember(r chunkRef[T]) {
	if s.recent[0].c != r.c {
		s.recent[1] = s.recent[0]
	}
	s.recent[0] = r
}

// forget drops the recent chunks, after a change to which chunks there are.
func (s *chunkSet[T]) forget() { s.recent, s.tail = [2]chunkRef[T]{}, chunkRef[T]{} }

// last returns the last chunk.
func (s *chunkSet[T]) last() (chunkRef[T], bool) {
	if s.tail.c == nil {
		s.tail, _ = s.chunks.Max()
	}
	return s.tail, s.tail.c != nil
}

// find returns the chunk that holds k if any item does: the one with the
// greatest low not above k. ok is false when k is below every low.
func (s *chunkSet[T]) find(k T) (r chunkRef[T], ok bool) {
	for i := range s.recent {
		if r := &s.recent[i]; r.c != nil && !s.less(k, r.low) && !s.less(r.c.items[len(r.c.items)-1], k) {
			return *r, true
		}
	}
	s.chunks.DescendHint(chunkRef[T]{low: k}, func(x chunkRef[T]) bool {
		r, ok = x, true
		return false
	}, &s.hint)
	if ok {
		s.remember(r)
	}
	return r, ok
}

// search is the index of the first item of c not below k, and whether it
// equals k.
func (s *chunkSet[T]) search(c *chunk[T], k T) (int, bool) {
	if !s.less(c.items[0], k) { // k at the front, as acks in order are
		return 0, !s.less(k, c.items[0])
	}
	lo, hi := 1, len(c.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.less(c.items[m], k) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(c.items) && !s.less(k, c.items[lo])
}

// own returns r's chunk ready to change: copied first if it is shared with
// a copy of the set, and r updated to it.
func (s *chunkSet[T]) own(r *chunkRef[T]) *chunk[T] {
	if r.c.gen != s.gen {
		items := make([]T, len(r.c.items), max(len(r.c.items), min(2*len(r.c.items), chunkCap)))
		copy(items, r.c.items)
		old := r.c
		r.c = &chunk[T]{gen: s.gen, items: items}
		s.chunks.SetHint(*r, &s.hint)
		for i := range s.recent {
			if s.recent[i].c == old {
				s.recent[i].c = r.c
			}
		}
		if s.tail.c == old {
			s.tail.c = r.c
		}
	}
	s.remember(*r)
	return r.c
}

// Get returns the item equal to k.
func (s *chunkSet[T]) Get(k T) (T, bool) {
	var zero T
	r, ok := s.find(k)
	if !ok {
		return zero, false
	}
	i, found := s.search(r.c, k)
	if !found {
		return zero, false
	}
	return r.c.items[i], true
}

// Min and Max return the first and last items.
func (s *chunkSet[T]) Min() (T, bool) {
	r, ok := s.chunks.Min()
	if !ok {
		var zero T
		return zero, false
	}
	return r.c.items[0], true
}

// Max: see Min.
func (s *chunkSet[T]) Max() (T, bool) {
	r, ok := s.last()
	if !ok {
		var zero T
		return zero, false
	}
	return r.c.items[len(r.c.items)-1], true
}

// Set adds item, or replaces the item equal to it.
func (s *chunkSet[T]) Set(item T) {
	r, ok := s.find(item)
	if !ok {
		if r, ok = s.chunks.Min(); !ok || len(r.c.items) == chunkCap {
			s.newChunk(item, 4) // below every low: a first chunk of its own
			return
		}
		// item goes first: its chunk's low moves down to it. The tree is
		// ordered by low, so the ref is taken out and put back.
		c := s.own(&r)
		s.chunks.DeleteHint(r, &s.hint)
		r.low = item
		s.chunks.SetHint(r, &s.hint)
		s.forget()
		s.insertAt(c, 0, item)
		return
	}
	c := r.c
	i, found := s.search(c, item)
	if found {
		s.own(&r).items[i] = item
		return
	}
	if len(c.items) < chunkCap {
		s.insertAt(s.own(&r), i, item)
		return
	}
	if i == len(c.items) {
		// Past a full chunk and below the next chunk's low: a chunk of its
		// own, as appends in order make.
		s.newChunk(item, 4)
		return
	}
	// Split the full chunk in two halves and insert into the right one.
	c = s.own(&r)
	half := chunkCap / 2
	upper := make([]T, chunkCap-half, chunkCap)
	copy(upper, c.items[half:])
	clear(c.items[half:])
	c.items = c.items[:half]
	uc := &chunk[T]{gen: s.gen, items: upper}
	s.chunks.SetHint(chunkRef[T]{low: upper[0], c: uc}, &s.hint)
	s.forget()
	if i <= half {
		s.insertAt(c, i, item)
	} else {
		s.insertAt(uc, i-half, item)
	}
}

// Append adds item, which is usually above every item (a delivery): then it
// goes to the end of the last chunk without a search.
func (s *chunkSet[T]) Append(item T) {
	r, ok := s.last()
	if !ok || !s.less(r.c.items[len(r.c.items)-1], item) {
		s.Set(item)
		return
	}
	if len(r.c.items) == chunkCap {
		s.newChunk(item, chunkCap) // more appends will follow
		s.tail = s.recent[0]
		return
	}
	c := s.own(&r)
	s.insertAt(c, len(c.items), item)
}

// newChunk adds a chunk holding item, with room for room items.
func (s *chunkSet[T]) newChunk(item T, room int) {
	items := make([]T, 1, room)
	items[0] = item
	r := chunkRef[T]{low: item, c: &chunk[T]{gen: s.gen, items: items}}
	s.chunks.SetHint(r, &s.hint)
	s.tail.c = nil // it may be the last now
	s.remember(r)
	s.n++
}

// insertAt puts item at index i of c, an owned chunk with room.
func (s *chunkSet[T]) insertAt(c *chunk[T], i int, item T) {
	if len(c.items) == cap(c.items) {
		items := make([]T, len(c.items), min(max(2*len(c.items), 4), chunkCap))
		copy(items, c.items)
		c.items = items
	}
	c.items = append(c.items, item)
	copy(c.items[i+1:], c.items[i:])
	c.items[i] = item
	s.n++
}

// Delete removes the item equal to k and returns it.
func (s *chunkSet[T]) Delete(k T) (T, bool) {
	var zero T
	r, ok := s.find(k)
	if !ok {
		return zero, false
	}
	i, found := s.search(r.c, k)
	if !found {
		return zero, false
	}
	item := r.c.items[i]
	s.n--
	if len(r.c.items) == 1 {
		s.chunks.DeleteHint(r, &s.hint)
		s.forget()
		return item, true
	}
	c := s.own(&r)
	if i == 0 {
		c.items[0] = zero
		c.items = c.items[1:]
	} else {
		copy(c.items[i:], c.items[i+1:])
		c.items[len(c.items)-1] = zero
		c.items = c.items[:len(c.items)-1]
	}
	if n := len(c.items); n == chunkCap/4-1 || n == chunkCap/16-1 {
		s.compact(r)
	}
	return item, true
}

// compact merges r's chunk, just made small by a delete, with a neighbour
// when both fit in half a chunk, or else shrinks its array. It runs as the
// chunk crosses a quarter and a sixteenth of chunkCap, not at every delete
// below: a neighbour that gets small later looks at this one then.
func (s *chunkSet[T]) compact(r chunkRef[T]) {
	if next, ok := s.neighbour(r, true); ok && s.merge(r, next) {
		return
	}
	if prev, ok := s.neighbour(r, false); ok && s.merge(prev, r) {
		return
	}
	if c := r.c; cap(c.items) >= 4*len(c.items) && cap(c.items) > 4 {
		items := make([]T, len(c.items), 2*len(c.items))
		copy(items, c.items)
		c.items = items
	}
}

// neighbour returns the chunk after r, or before it.
func (s *chunkSet[T]) neighbour(r chunkRef[T], after bool) (n chunkRef[T], ok bool) {
	walk := s.chunks.DescendHint
	if after {
		walk = s.chunks.AscendHint
	}
	walk(r, func(x chunkRef[T]) bool {
		if x.c == r.c {
			return true
		}
		n, ok = x, true
		return false
	}, &s.hint)
	return n, ok
}

// merge moves right's items to the end of left, the chunk before it, if
// both fit in half a chunk.
func (s *chunkSet[T]) merge(left, right chunkRef[T]) bool {
	if len(left.c.items)+len(right.c.items) > chunkCap/2 {
		return false
	}
	c := s.own(&left)
	c.items = append(c.items, right.c.items...)
	s.chunks.DeleteHint(right, &s.hint)
	s.forget()
	return true
}

// Ascend calls fn for each item not below pivot, in order, until fn returns
// false. fn must not change the set.
func (s *chunkSet[T]) Ascend(pivot T, fn func(T) bool) {
	start, ok := s.find(pivot)
	if !ok {
		s.Scan(fn)
		return
	}
	first := true
	s.chunks.Ascend(start, func(r chunkRef[T]) bool {
		items := r.c.items
		if first {
			i, _ := s.search(r.c, pivot)
			items, first = items[i:], false
		}
		for _, it := range items {
			if !fn(it) {
				return false
			}
		}
		return true
	})
}

// Scan calls fn for every item in order until fn returns false. fn must
// not change the set.
func (s *chunkSet[T]) Scan(fn func(T) bool) {
	s.chunks.Scan(func(r chunkRef[T]) bool {
		for _, it := range r.c.items {
			if !fn(it) {
				return false
			}
		}
		return true
	})
}
