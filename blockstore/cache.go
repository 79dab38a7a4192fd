package blockstore

import "sluice/streams"

// cache keeps block data in memory, bounded by bytes, in two parts:
//
//   - recent: the blocks written last, first in first out, a sixteenth
//     of the budget (4 MB of the default 64: about 1000 blocks, 150 ms
//     of XADDs at full speed; beyond, a consumer reads the page cache). Reads never evict them, so consumers at the head of a
//     stream find their blocks there however much a replay from the
//     start reads meanwhile. A block read while recent moves to the clock
//     when it leaves.
//   - clock: blocks read back, evicted by CLOCK (second chance). Blocks a
//     sequential read brings in ahead of need enter unreferenced, so a
//     scan replaces its own blocks first.
//
// It is guarded by the Store's mutex. Data slices are never reused: one
// handed out stays valid after its entry goes.
type cache struct {
	max, recentMax, clockMax int64
	recentBytes, clockBytes  int64
	index                    map[uint64]*entry
	recent, clock            queue
}

type entry struct {
	key      uint64
	data     []byte
	ref      bool // read since it entered or last came round
	inRecent bool
	gone     bool // purged: skipped when its queue reaches it
}

func key(loc streams.Loc) uint64 { return uint64(loc.File)<<32 | uint64(loc.Off) }

// setMax sets the budget, evicting what no longer fits.
func (c *cache) setMax(n int64) {
	if c.index == nil {
		c.index = map[uint64]*entry{}
	}
	c.max = max(n, 0)
	c.recentMax = c.max / 16
	c.clockMax = c.max - c.recentMax
	c.trimRecent()
	c.trimClock()
}

func (c *cache) get(k uint64) ([]byte, bool) {
	e, ok := c.index[k]
	if !ok {
		return nil, false
	}
	e.ref = true
	return e.data, true
}

// addRecent keeps a block just written.
func (c *cache) addRecent(k uint64, data []byte) {
	if c.recentMax == 0 || c.index[k] != nil {
		return
	}
	e := &entry{key: k, data: data, inRecent: true}
	c.index[k] = e
	c.recent.push(e)
	c.recentBytes += int64(len(data))
	c.trimRecent()
}

// addClock keeps a block read back; ref says it was asked for (not read
// ahead).
func (c *cache) addClock(k uint64, data []byte, ref bool) {
	if c.clockMax == 0 || c.index[k] != nil {
		return
	}
	e := &entry{key: k, data: data, ref: ref}
	c.index[k] = e
	c.clock.push(e)
	c.clockBytes += int64(len(data))
	c.trimClock()
}

func (c *cache) trimRecent() {
	for c.recentBytes > c.recentMax && c.recent.len() > 0 {
		e := c.recent.pop()
		if e.gone {
			continue
		}
		c.recentBytes -= int64(len(e.data))
		if !e.ref || c.clockMax == 0 {
			delete(c.index, e.key)
			continue
		}
		e.inRecent, e.ref = false, false
		c.clock.push(e)
		c.clockBytes += int64(len(e.data))
		c.trimClock()
	}
}

func (c *cache) trimClock() {
	for c.clockBytes > c.clockMax && c.clock.len() > 0 {
		e := c.clock.pop()
		switch {
		case e.gone:
		case e.ref:
			e.ref = false
			c.clock.push(e)
		default:
			c.clockBytes -= int64(len(e.data))
			delete(c.index, e.key)
		}
	}
}

// purge drops the blocks of a file that is going away.
func (c *cache) purge(file uint32) {
	for k, e := range c.index {
		if uint32(k>>32) != file {
			continue
		}
		e.gone = true
		delete(c.index, k)
		if e.inRecent {
			c.recentBytes -= int64(len(e.data))
		} else {
			c.clockBytes -= int64(len(e.data))
		}
	}
}

// queue is a FIFO of entries.
type queue struct {
	items []*entry
	head  int
}

func (q *queue) push(e *entry) { q.items = append(q.items, e) }

func (q *queue) len() int { return len(q.items) - q.head }

// pop returns the oldest entry; the queue must not be empty.
func (q *queue) pop() *entry {
	e := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head >= 1024 && q.head*2 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return e
}

// SetCacheSize sets the cache's budget in bytes (CONFIG SET block-cache),
// evicting what no longer fits.
func (s *Store) SetCacheSize(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache.setMax(n)
}
