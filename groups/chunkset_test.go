package groups

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type kv struct{ k, v int }

func kvLess(a, b kv) bool { return a.k < b.k }

// model is the set a chunkSet must equal: sorted by k.
type model []kv

func (m model) find(k int) (int, bool) {
	return slices.BinarySearchFunc(m, k, func(e kv, k int) int { return e.k - k })
}

func (m *model) set(x kv) {
	i, ok := m.find(x.k)
	if ok {
		(*m)[i] = x
		return
	}
	*m = slices.Insert(*m, i, x)
}

func (m *model) del(k int) bool {
	i, ok := m.find(k)
	if ok {
		*m = slices.Delete(*m, i, i+1)
	}
	return ok
}

func equalModel(t *testing.T, s *chunkSet[kv], m model, step int) {
	t.Helper()
	if s.Len() != len(m) {
		t.Fatalf("step %d: len %d, want %d", step, s.Len(), len(m))
	}
	var got model
	s.Scan(func(x kv) bool { got = append(got, x); return true })
	if !slices.Equal(got, m) {
		t.Fatalf("step %d: scan\n%v\nwant\n%v", step, got, m)
	}
	// Chunks are disjoint, ordered, within their lows, and never empty.
	var prev *chunk[kv]
	s.chunks.Scan(func(r chunkRef[kv]) bool {
		if len(r.c.items) == 0 || len(r.c.items) > chunkCap || r.c.items[0].k < r.low.k {
			t.Fatalf("step %d: chunk low %d holds %v", step, r.low.k, r.c.items)
		}
		if prev != nil && prev.items[len(prev.items)-1].k >= r.low.k {
			t.Fatalf("step %d: chunk ending %v before low %d", step, prev.items[len(prev.items)-1], r.low.k)
		}
		prev = r.c
		return true
	})
}

// TestChunkSetModel runs random operations, shaped like a PEL's and not,
// against a sorted slice, taking copies along the way that must not change.
func TestChunkSetModel(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		s := newChunkSet(kvLess)
		var m model
		type frozen struct {
			s *chunkSet[kv]
			m model
		}
		var copies []frozen
		next := 0 // appends in order, as deliveries come
		span := 50 + rng.IntN(5000)
		for step := range 4000 {
			switch op := rng.IntN(100); {
			case op < 35:
				next += 1 + rng.IntN(3)
				x := kv{next, step}
				s.Append(x)
				m.set(x)
			case op < 45:
				x := kv{rng.IntN(span) - span/10, step}
				s.Set(x)
				m.set(x)
			case op < 50:
				// Below everything: the first chunk grows at its front.
				x := kv{-step, step}
				if len(m) > 0 {
					x.k = m[0].k - 1 - rng.IntN(3)
				}
				s.Set(x)
				m.set(x)
			case op < 75 && len(m) > 0 && seed%2 == 0: // odd seeds never delete: chunks fill
				// Mostly near the front, as acks come.
				k := m[min(rng.IntN(8), len(m)-1)].k
				if rng.IntN(3) == 0 {
					k = rng.IntN(span)
				}
				got, ok := s.Delete(kv{k: k})
				wantI, want := m.find(k)
				if ok != want || (ok && got != m[wantI]) {
					t.Fatalf("seed %d step %d: Delete(%d) = %v %v, want %v", seed, step, k, got, ok, want)
				}
				m.del(k)
			case op < 85:
				k := rng.IntN(span)
				got, ok := s.Get(kv{k: k})
				i, want := m.find(k)
				if ok != want || (ok && got != m[i]) {
					t.Fatalf("seed %d step %d: Get(%d) = %v %v", seed, step, k, got, ok)
				}
			case op < 90:
				k := rng.IntN(span)
				var got model
				s.Ascend(kv{k: k}, func(x kv) bool { got = append(got, x); return len(got) < 10 })
				i, _ := m.find(k)
				want := m[i:min(i+10, len(m))]
				if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Fatalf("seed %d step %d: Ascend(%d) = %v, want %v", seed, step, k, got, want)
				}
			case op < 93:
				copies = append(copies, frozen{s.Copy(), slices.Clone(m)})
			case op < 95 && len(copies) > 0:
				// A copy changes independently too.
				f := &copies[rng.IntN(len(copies))]
				x := kv{rng.IntN(span), -step}
				f.s.Set(x)
				f.m.set(x)
				if len(f.m) > 0 {
					k := f.m[0].k
					f.s.Delete(kv{k: k})
					f.m.del(k)
				}
			default:
				if mn, ok := s.Min(); ok != (len(m) > 0) || (ok && mn != m[0]) {
					t.Fatalf("seed %d step %d: Min %v", seed, step, mn)
				}
				if mx, ok := s.Max(); ok != (len(m) > 0) || (ok && mx != m[len(m)-1]) {
					t.Fatalf("seed %d step %d: Max %v", seed, step, mx)
				}
			}
			if step%97 == 0 {
				equalModel(t, s, m, step)
			}
		}
		equalModel(t, s, m, -1)
		for _, f := range copies {
			equalModel(t, f.s, f.m, -2)
		}
	}
}

// TestChunkSetDense checks that a set thinned by deletes does not keep a
// chunk per item: chunks merge and arrays shrink.
func TestChunkSetDense(t *testing.T) {
	s := newChunkSet(kvLess)
	for i := range 64 * 1000 {
		s.Append(kv{k: i})
	}
	// Keep one item in 64, as a few stuck messages in a drained queue do.
	for i := range 64 * 1000 {
		if i%64 != 0 {
			s.Delete(kv{k: i})
		}
	}
	room := 0
	s.chunks.Scan(func(r chunkRef[kv]) bool { room += cap(r.c.items); return true })
	if s.Len() != 1000 || s.chunks.Len() > 1000/8 || room > 4*1000 {
		t.Fatalf("%d items in %d chunks with room for %d", s.Len(), s.chunks.Len(), room)
	}
}

// An item below every other goes first even when the first chunk is full,
// and a later split of that chunk keeps everything.
func TestChunkSetBelowFullChunk(t *testing.T) {
	s := newChunkSet(kvLess)
	var m model
	for i := 10; i < 10+chunkCap; i++ {
		s.Append(kv{k: i})
		m.set(kv{k: i})
	}
	for _, k := range []int{5, 40, 41, 3, 42} {
		s.Set(kv{k: k})
		m.set(kv{k: k})
	}
	equalModel(t, s, m, 0)
}
