package kernel_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"sluice/kernel"
)

// FuzzReplay feeds arbitrary record bodies to replay, after the records of
// a real run: it must refuse what it cannot apply with an error naming the
// record, never panic, and leave an engine that can still be captured.
func FuzzReplay(f *testing.F) {
	clock := int64(1_700_000_000_000)
	live := newEngine(&clock)
	log := &memLog{}
	live.SetLog(log)
	randomCommands(f, live, &clock, rand.New(rand.NewPCG(1, 2)), 300)
	prefix := log.recs[:len(log.recs)/2]
	for _, r := range log.recs[len(log.recs)/2:] {
		f.Add(r.body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := newEngine(&clock)
		for i, r := range prefix {
			if err := e.Replay(uint64(i+1), r.typ, r.body); err != nil {
				t.Fatal(err)
			}
		}
		lsn := uint64(len(prefix) + 1)
		if err := e.Replay(lsn, kernel.RecEffects, body); err != nil && !strings.HasPrefix(err.Error(), "kernel: record ") {
			t.Fatalf("error does not name the record: %v", err)
		}
		if _, _, err := e.Capture(); err != nil {
			t.Fatalf("capture after replay: %v", err)
		}
	})
}
