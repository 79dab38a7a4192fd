package commands

import (
	"math/rand/v2"
	"testing"
)

// hashSet holds what was added, through growth, and nothing else.
func TestHashSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h hashSet
	in := map[uint64]bool{}
	for range 5000 {
		x := r.Uint64() >> r.IntN(64) // small values too, and 0
		h.add(x)
		in[x|1] = true
	}
	for x := range in {
		if !h.has(x) {
			t.Fatalf("%d added, not found", x)
		}
	}
	if h.n != len(in) {
		t.Fatalf("%d in the set, %d added", h.n, len(in))
	}
	for range 5000 {
		if x := r.Uint64(); !in[x|1] && h.has(x) {
			t.Fatalf("%d found, never added", x)
		}
	}
	var empty hashSet
	if empty.has(7) {
		t.Fatal("an empty set has 7")
	}
}
