package kernel

import (
	"container/heap"
	"strings"
	"time"

	"sluice/groups"
	"sluice/streams"
)

// Overview is a read-only picture of the engine for monitoring: the
// metrics endpoint and the web page read the keyspace only through it.
//
// It walks every key, but never holds the lock for the whole keyspace:
// it takes it for overviewChunk keys at a time (in SCAN order, resuming
// from a cursor, as the MAXAGE sweep does), so with 100,000 keys a command
// waits behind a scrape no longer than behind one of 256 keys. The price is that the
// picture is not one instant: each stream's figures are consistent, the
// totals are a sum over a walk that took a few milliseconds.
type Overview struct {
	Now int64 // unix ms when the walk began
	// Keys counts the keys of every database, Streams the stream keys,
	// Matched the streams OverviewQuery.Match selected.
	Keys, Streams, Matched int
	// Top are the longest streams Match selected, longest first (ties by
	// name), at most OverviewQuery.Top; Skipped of them were passed over
	// for OverviewQuery.Skip.
	Top     []StreamView
	Skipped int
	// Rest sums the streams not in Top (Match or not); All sums every
	// stream.
	Rest, All StreamTotals

	Blocked               int   // clients blocked in XREAD or XREADGROUP
	UsedMemory, MaxMemory int64 // INFO's used_memory and maxmemory
	Commands              []NamedCommandStat
	Errors                map[string]int64 // replies by error code (errorstats)
	LogErr                error            // why writes are refused (MISCONF), nil while they are not

	// MaxLockHold is the longest the walk held the engine lock, LockHeld
	// the sum of its holds and Locks how many times it took it: what
	// monitoring costs the commands.
	MaxLockHold, LockHeld time.Duration
	Locks                 int
}

// OverviewQuery says what an Overview keeps beyond the totals.
type OverviewQuery struct {
	// Top keeps the Top longest streams Match selects, after skipping the
	// Skip longest (paging); 0 keeps none.
	Top, Skip int
	// Match, when set, selects only streams whose name contains it,
	// ignoring ASCII case.
	Match string
	// MaxGroups is how many groups of a kept stream are itemized, by name;
	// the others are summed into StreamView.OtherGroups. 0 means
	// DefaultMaxGroups.
	MaxGroups int
	// Consumers and DeadLetters, when above 0, fill each itemized group's
	// Consumers (at most that many, by name) and DeadLetters (the newest
	// from its dead-letter stream).
	Consumers, DeadLetters int
}

// DefaultMaxGroups is OverviewQuery.MaxGroups when it is 0.
const DefaultMaxGroups = 64

// NamedCommandStat is one command's counters, by full name (xgroup|create).
type NamedCommandStat struct {
	Name string
	CommandStat
}

// StreamView is one stream.
type StreamView struct {
	DB                   int
	Key                  string
	Length, EntriesAdded uint64
	// Bytes are the bytes of its entries as stored (streams.Stream.Bytes),
	// HotBytes the part of them in memory; the rest is in block files.
	Bytes, HotBytes uint64
	// FirstID is the first live entry (0-0 when empty), LastID the last
	// ever added (XINFO STREAM's last-generated-id).
	FirstID, LastID streams.ID
	// Groups are the first MaxGroups groups by name, OtherGroups the rest
	// summed.
	Groups      []GroupView
	OtherGroups GroupTotals
}

// GroupView is one consumer group.
type GroupView struct {
	Name string
	// Lag is XINFO GROUPS' lag; LagKnown is false where it shows null
	// (deletions make it unknowable).
	Lag       int64
	LagKnown  bool
	Pending   int
	Consumers int
	// OldestPending is the smallest pending ID, zero when none is pending:
	// its ms part is when that entry was added.
	OldestPending streams.ID
	LastID        streams.ID
	EntriesRead   int64 // groups.InvalidEntriesRead when unknown
	Held          int   // entries waiting for their key's turn (ORDERBY)
	DeadLettered  int64
	// DeadLetterFailures counts dead letters their stream refused.
	DeadLetterFailures int64
	groups.Traffic
	Settings groups.Settings
	// DeadLetterKey is where the group's dead letters go, "" for none.
	DeadLetterKey string

	// Filled when OverviewQuery.Consumers or DeadLetters asks.
	ConsumerList []ConsumerView
	// DeadLetterLen is the length of the dead-letter stream (shared by
	// every group that sends there), DeadLetters its newest entries from
	// this group, newest first.
	DeadLetterLen uint64
	DeadLetters   []EntryView
}

// ConsumerView is one consumer.
type ConsumerView struct {
	Name    string
	Pending int
	// SeenTime and ActiveTime are unix ms (XINFO CONSUMERS' idle and
	// inactive are now minus them); ActiveTime is -1 before the first
	// entry it got.
	SeenTime, ActiveTime int64
}

// EntryView is one stream entry, its fields copied.
type EntryView struct {
	ID     streams.ID
	Fields []string // field, value, ...
}

// GroupTotals sum groups.
type GroupTotals struct {
	Groups, Consumers int
	// Lag sums the lags that are known.
	Lag, Pending                                       int64
	Delivered, Acked, DeadLettered, DeadLetterFailures int64
	// OldestPendingMs is the ms part of the oldest pending ID among them,
	// 0 when nothing is pending.
	OldestPendingMs uint64
}

// StreamTotals sum streams and their groups.
type StreamTotals struct {
	Streams                     int
	Length, EntriesAdded, Bytes uint64
	HotBytes                    uint64 // the part of Bytes in memory
	// FirstMs is the ms part of the oldest first entry among them, LastMs
	// of the newest last-generated ID; 0 when none.
	FirstMs, LastMs uint64
	GroupTotals
}

// overviewChunk is how many keys the walk looks at per lock hold.
const overviewChunk = 256

// Overview returns the engine's figures as q asks; see Overview. It takes
// the engine lock, so it must not be called under it.
func (e *Engine) Overview(q OverviewQuery) *Overview {
	if q.MaxGroups <= 0 {
		q.MaxGroups = DefaultMaxGroups
	}
	o := &Overview{}
	w := overviewWalk{q: q, o: o, top: topStreams{max: q.Top + q.Skip}}
	hold := func(fn func()) {
		e.mu.Lock()
		start := time.Now()
		defer func() { // deferred: a panic must not leave the engine locked
			took := time.Since(start)
			e.mu.Unlock()
			o.MaxLockHold = max(o.MaxLockHold, took)
			o.LockHeld += took
			o.Locks++
		}()
		fn()
	}
	hold(func() { e.overviewServer(o) })
	for db := range e.dbs {
		var cursor ScanKey
		resume, more := false, true
		for more {
			hold(func() {
				cursor, more = e.overviewChunk(&w, db, cursor, resume)
			})
			resume = true
		}
	}
	o.Top = w.top.sorted()
	if n := min(q.Skip, len(o.Top)); n > 0 {
		o.Skipped = n
		for _, sv := range o.Top[:n] {
			o.Rest.addStream(&sv)
		}
		o.Top = o.Top[n:]
	}
	if q.Consumers > 0 || q.DeadLetters > 0 {
		for i := range o.Top {
			hold(func() { e.overviewDetails(&o.Top[i], q) })
		}
	}
	return o
}

// overviewServer fills the engine-wide figures. Under the lock.
func (e *Engine) overviewServer(o *Overview) {
	o.Now = e.clock()
	o.Blocked = e.blocked
	o.UsedMemory = e.usedMemory.Load()
	o.MaxMemory = e.cfg.Int("maxmemory")
	o.LogErr = e.logErr()
	for i, st := range e.stats.cmds {
		if st.Calls > 0 || st.Failed > 0 || st.Rejected > 0 {
			o.Commands = append(o.Commands, NamedCommandStat{Name: e.table.all[i].FullName(), CommandStat: st})
		}
	}
	o.Errors = make(map[string]int64, len(e.stats.errors))
	for code, n := range e.stats.errors {
		o.Errors[code] = n
	}
	for _, d := range e.dbs {
		o.Keys += d.Len()
	}
}

// overviewWalk is the state of one walk over the keyspace.
type overviewWalk struct {
	q       OverviewQuery
	o       *Overview
	top     topStreams
	scratch StreamView // the view of a stream that goes to Rest, reused
}

// overviewChunk takes up to overviewChunk keys of database db from cursor
// (after it when resume) and returns where to go on, and whether there is
// more. Under the lock.
func (e *Engine) overviewChunk(w *overviewWalk, db int, cursor ScanKey, resume bool) (ScanKey, bool) {
	d := e.dbs[db]
	n, more := 0, false
	now := w.o.Now
	d.order.Ascend(cursor, func(k ScanKey) bool {
		if resume && k == cursor {
			return true
		}
		if n == overviewChunk {
			more = true
			return false
		}
		n++
		cursor = k
		s, ok := d.Lookup(k.Key, now).(*Stream)
		if !ok {
			return true
		}
		w.o.Streams++
		w.add(db, k.Key, s)
		return true
	})
	return cursor, more
}

// add takes one stream into the walk.
func (w *overviewWalk) add(db int, key string, s *Stream) {
	sv := &w.scratch
	fillStream(sv, db, key, s, w.q.MaxGroups)
	w.o.All.addStream(sv)
	matched := w.q.Match == "" || containsFold(key, w.q.Match)
	if matched {
		w.o.Matched++
	}
	if !matched || !w.top.wants(sv) {
		w.o.Rest.addStream(sv)
		return
	}
	kept := *sv
	kept.Groups = append([]GroupView(nil), sv.Groups...)
	if out, ok := w.top.push(kept); ok {
		w.o.Rest.addStream(&out)
	}
}

// fillStream makes sv the view of s, reusing its Groups slice.
func fillStream(sv *StreamView, db int, key string, s *Stream, maxGroups int) {
	gs := sv.Groups[:0]
	*sv = StreamView{DB: db, Key: key, Length: s.Len(), EntriesAdded: s.EntriesAdded(), Bytes: s.Bytes(),
		HotBytes: s.HotBytes(), FirstID: s.FirstID(), LastID: s.LastID()}
	info := s.Info()
	s.EachGroup(func(g *groups.Group) bool {
		gv := viewGroup(g, info)
		if len(gs) < maxGroups {
			gs = append(gs, gv)
		} else {
			sv.OtherGroups.add(&gv)
		}
		return true
	})
	sv.Groups = gs
}

// viewGroup reads g's figures: each O(1) or O(log pending).
func viewGroup(g *groups.Group, info groups.StreamInfo) GroupView {
	gv := GroupView{Name: g.Name(), Pending: g.PendingLen(), Consumers: g.NumConsumers(),
		LastID: g.LastID(), EntriesRead: g.EntriesRead(), Held: g.Held(),
		DeadLettered: g.DeadLettered(), DeadLetterFailures: g.DeadLetterFailures(),
		Traffic: g.Traffic(), Settings: g.Settings()}
	gv.Lag, gv.LagKnown = g.Lag(info)
	if lo, _, ok := g.PendingBounds(); ok {
		gv.OldestPending = lo
	}
	return gv
}

func (t *GroupTotals) add(g *GroupView) {
	t.Groups++
	t.Consumers += g.Consumers
	if g.LagKnown {
		t.Lag += g.Lag
	}
	t.Pending += int64(g.Pending)
	t.Delivered += g.Delivered
	t.Acked += g.Acked
	t.DeadLettered += g.DeadLettered
	t.DeadLetterFailures += g.DeadLetterFailures
	if g.Pending > 0 {
		t.OldestPendingMs = minNonZero(t.OldestPendingMs, g.OldestPending.Ms)
	}
}

// Add sums u into t.
func (t *GroupTotals) Add(u GroupTotals) {
	t.Groups += u.Groups
	t.Consumers += u.Consumers
	t.Lag += u.Lag
	t.Pending += u.Pending
	t.Delivered += u.Delivered
	t.Acked += u.Acked
	t.DeadLettered += u.DeadLettered
	t.DeadLetterFailures += u.DeadLetterFailures
	if u.OldestPendingMs != 0 {
		t.OldestPendingMs = minNonZero(t.OldestPendingMs, u.OldestPendingMs)
	}
}

func (t *StreamTotals) addStream(sv *StreamView) {
	t.Streams++
	t.Length += sv.Length
	t.EntriesAdded += sv.EntriesAdded
	t.Bytes += sv.Bytes
	t.HotBytes += sv.HotBytes
	if sv.Length > 0 {
		t.FirstMs = minNonZero(t.FirstMs, max(sv.FirstID.Ms, 1))
	}
	t.LastMs = max(t.LastMs, sv.LastID.Ms)
	for i := range sv.Groups {
		t.GroupTotals.add(&sv.Groups[i])
	}
	t.GroupTotals.Add(sv.OtherGroups)
}

func minNonZero(a, b uint64) uint64 {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}

// overviewDetails fills the consumers and dead letters of a kept stream's
// groups, if it is still there. Under the lock.
func (e *Engine) overviewDetails(sv *StreamView, q OverviewQuery) {
	d := e.dbs[sv.DB]
	now := e.clock()
	s, ok := d.Lookup(sv.Key, now).(*Stream)
	if !ok {
		return
	}
	for i := range sv.Groups {
		gv := &sv.Groups[i]
		g := s.Group([]byte(gv.Name))
		if g == nil {
			continue
		}
		gv.DeadLetterKey = g.Settings().DeadLetterKey(sv.Key)
		if q.Consumers > 0 {
			g.Consumers(func(c *groups.Consumer) bool {
				gv.ConsumerList = append(gv.ConsumerList, ConsumerView{Name: c.Name(), Pending: c.PendingLen(),
					SeenTime: c.SeenTime(), ActiveTime: c.ActiveTime()})
				return len(gv.ConsumerList) < q.Consumers
			})
		}
		if q.DeadLetters > 0 && gv.DeadLetterKey != "" {
			if dlq, ok := d.Lookup(gv.DeadLetterKey, now).(*Stream); ok {
				gv.DeadLetterLen = dlq.Len()
				gv.DeadLetters = newestDeadLetters(dlq, sv.Key, gv.Name, q.DeadLetters)
			}
		}
	}
}

// deadLetterScan bounds how many entries of a dead-letter stream are read
// per dead letter shown, when groups share it.
const deadLetterScan = 20

// newestDeadLetters returns up to n of the newest entries of dlq that came
// from key's group, newest first; the dlq-source-key and dlq-group fields
// (see commands/deadletter.go) say where one came from.
func newestDeadLetters(dlq *Stream, key, group string, n int) []EntryView {
	var out []EntryView
	looked := 0
	dlq.Range(streams.MinID, streams.MaxID, true, func(id streams.ID, fv [][]byte) bool {
		looked++
		var fromKey, fromGroup bool
		for i := 0; i+1 < len(fv); i += 2 {
			switch string(fv[i]) {
			case "dlq-source-key":
				fromKey = string(fv[i+1]) == key
			case "dlq-group":
				fromGroup = string(fv[i+1]) == group
			}
		}
		if fromKey && fromGroup {
			ev := EntryView{ID: id, Fields: make([]string, len(fv))}
			for i, b := range fv {
				ev.Fields[i] = string(b)
			}
			out = append(out, ev)
		}
		return len(out) < n && looked < n*deadLetterScan
	})
	return out
}

// containsFold reports whether s contains sub, ignoring ASCII case,
// without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// topStreams keeps the max longest streams seen: a min-heap whose root is
// the shortest kept, so a stream shorter than it costs one comparison.
type topStreams struct {
	max   int
	views []StreamView
}

// before reports whether a ranks before b: longer, then by name, then by
// database.
func before(a, b *StreamView) bool {
	if a.Length != b.Length {
		return a.Length > b.Length
	}
	if a.Key != b.Key {
		return a.Key < b.Key
	}
	return a.DB < b.DB
}

func (t *topStreams) Len() int           { return len(t.views) }
func (t *topStreams) Less(i, j int) bool { return before(&t.views[j], &t.views[i]) }
func (t *topStreams) Swap(i, j int)      { t.views[i], t.views[j] = t.views[j], t.views[i] }
func (t *topStreams) Push(x any)         { t.views = append(t.views, x.(StreamView)) }
func (t *topStreams) Pop() any {
	n := len(t.views) - 1
	v := t.views[n]
	t.views = t.views[:n]
	return v
}

// wants reports whether sv would be kept.
func (t *topStreams) wants(sv *StreamView) bool {
	return t.max > 0 && (len(t.views) < t.max || before(sv, &t.views[0]))
}

// push keeps sv, returning the stream it displaced, if any.
func (t *topStreams) push(sv StreamView) (StreamView, bool) {
	if len(t.views) < t.max {
		heap.Push(t, sv)
		return StreamView{}, false
	}
	out := t.views[0]
	t.views[0] = sv
	heap.Fix(t, 0)
	return out, true
}

// sorted returns the kept streams, longest first.
func (t *topStreams) sorted() []StreamView {
	out := make([]StreamView, len(t.views))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(t).(StreamView)
	}
	return out
}
