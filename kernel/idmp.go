package kernel

import "sluice/streams"

// IDMP bounds and defaults (XCFGSET, CONFIG stream-idmp-*), as Redis 8.6.
const (
	idmpDefaultDuration = 100 // seconds
	idmpDefaultMaxSize  = 100 // iids per producer
	IDMPMaxDuration     = 86400
	IDMPMaxMaxSize      = 10000
)

// idmpState is the idempotent-producer memory of one stream (XADD IDMP):
// per producer, the most recent idempotent IDs and the entry each one
// added. Memory is bounded by maxSize iids per producer, and iids expire
// by the logged command time only, so replay reaches the same state.
type idmpState struct {
	duration  int64 // seconds
	maxSize   int
	producers map[string]*idmpProducer
	// sweepAt is the producer count that triggers dropping producers
	// whose iids all expired (amortized, so one-shot producers don't pile up).
	sweepAt           int
	added, duplicates int64 // lifetime counters
}

// idmpProducer keeps iids in insertion order (queue) with an index.
type idmpProducer struct {
	queue []string
	index map[string]idmpEntry
}

type idmpEntry struct {
	at int64 // command time of the XADD, unix ms
	id streams.ID
}

// newIdmpState starts IDMP for a stream with the given settings.
func newIdmpState(duration int64, maxSize int) *idmpState {
	return &idmpState{duration: duration, maxSize: maxSize, producers: map[string]*idmpProducer{}, sweepAt: 8}
}

// idmpDefaults are the settings a stream starts IDMP with: the
// stream-idmp-* parameters, or Redis's defaults when out of range.
func (e *Engine) idmpDefaults() (int64, int) {
	d, m := e.cfg.Int("stream-idmp-duration"), e.cfg.Int("stream-idmp-maxsize")
	if d < 1 || d > IDMPMaxDuration {
		d = idmpDefaultDuration
	}
	if m < 1 || m > IDMPMaxMaxSize {
		m = idmpDefaultMaxSize
	}
	return d, int(m)
}

// configure applies XCFGSET; a changed value forgets every iid, as in Redis.
func (s *idmpState) configure(duration int64, maxSize int) {
	if duration == s.duration && maxSize == s.maxSize {
		return
	}
	s.duration, s.maxSize = duration, maxSize
	clear(s.producers)
}

func (s *idmpState) expired(en idmpEntry, now int64) bool {
	return now-en.at >= s.duration*1000
}

// expire drops a producer's expired iids from the head of its queue.
func (s *idmpState) expire(p *idmpProducer, now int64) {
	n := 0
	for n < len(p.queue) && s.expired(p.index[p.queue[n]], now) {
		delete(p.index, p.queue[n])
		n++
	}
	p.queue = p.queue[n:]
}

// lookup returns the entry ID a live (pid, iid) added. It changes
// nothing: expired iids are dropped when the next one is recorded.
func (s *idmpState) lookup(pid, iid []byte, now int64) (streams.ID, bool) {
	p := s.producers[string(pid)]
	if p == nil {
		return streams.ID{}, false
	}
	en, ok := p.index[string(iid)]
	if !ok || s.expired(en, now) {
		return streams.ID{}, false
	}
	return en.id, true
}

// record remembers that (pid, iid) added id, evicting the producer's
// oldest iid when it holds maxSize already.
func (s *idmpState) record(pid, iid []byte, id streams.ID, now int64) {
	p := s.producers[string(pid)]
	if p == nil {
		if len(s.producers) >= s.sweepAt {
			s.sweep(now)
		}
		p = &idmpProducer{index: map[string]idmpEntry{}}
		s.producers[string(pid)] = p
	}
	s.expire(p, now)
	if len(p.queue) >= s.maxSize {
		drop := len(p.queue) - s.maxSize + 1
		for _, old := range p.queue[:drop] {
			delete(p.index, old)
		}
		p.queue = p.queue[drop:]
	}
	k := string(iid)
	p.queue = append(p.queue, k)
	p.index[k] = idmpEntry{at: now, id: id}
	s.added++
}

// sweep removes producers whose iids all expired.
func (s *idmpState) sweep(now int64) {
	for pid, p := range s.producers {
		s.expire(p, now)
		if len(p.queue) == 0 {
			delete(s.producers, pid)
		}
	}
	s.sweepAt = max(8, 2*len(s.producers))
}

// tracked counts the producers and iids not expired at now.
func (s *idmpState) tracked(now int64) (pids, iids int) {
	for _, p := range s.producers {
		live := 0
		for _, k := range p.queue {
			if !s.expired(p.index[k], now) {
				live++
			}
		}
		if live > 0 {
			pids++
			iids += live
		}
	}
	return pids, iids
}

// IDMPInfo is what XINFO STREAM shows of a stream's IDMP state.
type IDMPInfo struct {
	Duration          int64 // seconds
	MaxSize           int
	Added, Duplicates int64
	PIDs, IIDs        int // producers and iids not expired
}

// IDMP describes the stream's IDMP state at now; without one (IDMP never
// used) it shows the settings a first IDMP would start with.
func (c *Ctx) IDMP(s *Stream) IDMPInfo {
	st := s.idmp
	if st == nil {
		d, m := c.e.idmpDefaults()
		return IDMPInfo{Duration: d, MaxSize: m}
	}
	pids, iids := st.tracked(c.Now)
	return IDMPInfo{Duration: st.duration, MaxSize: st.maxSize, Added: st.added, Duplicates: st.duplicates, PIDs: pids, IIDs: iids}
}

// IDMPLookup returns the entry a live (pid, iid) added to s.
func (c *Ctx) IDMPLookup(s *Stream, pid, iid []byte) (streams.ID, bool) {
	if s.idmp == nil {
		return streams.ID{}, false
	}
	return s.idmp.lookup(pid, iid, c.Now)
}
