package groups

import (
	"strconv"
	"testing"

	"sluice/streams"
)

const bigPEL = 1_000_000

// bigGroup has a million pending entries spread over a thousand consumers.
func bigGroup(tb testing.TB) (*Group, []*Consumer) {
	tb.Helper()
	g := New("g", streams.MinID, 0)
	cs := make([]*Consumer, 1000)
	for i := range cs {
		cs[i], _ = g.CreateConsumer([]byte("consumer-"+strconv.Itoa(i)), 0)
	}
	for ms := uint64(1); ms <= bigPEL; ms++ {
		g.Deliver(id(ms), cs[ms%uint64(len(cs))], int64(ms))
	}
	return g, cs
}

// BenchmarkAckDeliver acks and re-delivers entries of a 1M PEL.
func BenchmarkAckDeliver(b *testing.B) {
	g, cs := bigGroup(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		x := id(uint64(i%bigPEL) + 1)
		g.Ack(x)
		g.Deliver(x, cs[i%len(cs)], int64(bigPEL+i))
	}
}

// BenchmarkClaim moves entries of a 1M PEL between consumers.
func BenchmarkClaim(b *testing.B) {
	g, cs := bigGroup(b)
	args := ClaimArgs{RetryCount: -1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		now := int64(bigPEL + i)
		args.DeliveryTime = now
		claimNow(g, id(uint64(i%bigPEL)+1), cs[(i+1)%len(cs)], args, now)
	}
}

// BenchmarkClaimIdle takes the oldest entry of a 1M PEL each time, as
// XREADGROUP CLAIM COUNT 1 does.
func BenchmarkClaimIdle(b *testing.B) {
	g, cs := bigGroup(b)
	emit := func(streams.ID, int64, int64) {}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		claimIdleNow(g, cs[i%len(cs)], 0, 1, int64(bigPEL+i), all, emit)
	}
}

// TestBigPEL keeps the large case honest in plain test runs.
func TestBigPEL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1M-entry PEL")
	}
	g, cs := bigGroup(t)
	if g.PendingLen() != bigPEL || cs[7].PendingLen() != bigPEL/len(cs) {
		t.Fatalf("pending %d, consumer 7 owns %d", g.PendingLen(), cs[7].PendingLen())
	}
	if n, _ := g.DeleteConsumer([]byte("consumer-7")); n != bigPEL/len(cs) {
		t.Fatalf("delete dropped %d", n)
	}
	check(t, g)
}

// BenchmarkQueue delivers entries in ID order to 4 consumers and acks each
// 400 deliveries later, as a queue's consumers keeping up do (and a replay
// of their log).
func BenchmarkQueue(b *testing.B) {
	g := New("g", streams.MinID, 0)
	cs := make([]*Consumer, 4)
	for i := range cs {
		cs[i], _ = g.CreateConsumer([]byte("consumer-"+strconv.Itoa(i)), 0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ms := uint64(i) + 1
		g.Deliver(id(ms), cs[i%len(cs)], int64(ms))
		if ms > 400 {
			g.Ack(id(ms - 400))
		}
	}
}
