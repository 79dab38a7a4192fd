package kernel_test

import (
	"fmt"
	"testing"

	"sluice/kernel"
)

// consumers blocks n clients in XREADGROUP BLOCK 0 on group g of stream s.
type consumers struct {
	next int // the consumer the next entry goes to: they are served in the order they blocked
	e    *kernel.Engine
	cls  []*kernel.Client
	read *kernel.Command
	args [][][]byte
}

func blockConsumers(t testing.TB, e *kernel.Engine, n int) *consumers {
	t.Helper()
	cs := &consumers{e: e, read: e.Commands().Lookup([]byte("xreadgroup"))}
	exec(t, e, nil, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
	for i := range n {
		cl := e.NewClient()
		args := argv("XREADGROUP", "GROUP", "g", fmt.Sprint("c", i), "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">")
		cs.cls = append(cs.cls, cl)
		cs.args = append(cs.args, args)
		e.Exec(cl, cs.read, args, kernel.Discard{})
	}
	return cs
}

// reblock sends the consumer the last entry went to back to wait, as a
// consumer loop does.
func (cs *consumers) reblock(tb testing.TB) {
	cl := cs.cls[cs.next]
	if cl.Blocked() {
		tb.Fatalf("consumer %d was not served: not first in line", cs.next)
	}
	cs.e.Exec(cl, cs.read, cs.args[cs.next], kernel.Discard{})
	cs.next = (cs.next + 1) % len(cs.cls)
}

func argv(args ...string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

func exec(t testing.TB, e *kernel.Engine, cl *kernel.Client, args ...string) {
	t.Helper()
	a := argv(args...)
	cmd, msg := e.Commands().Check(a)
	if cmd == nil {
		t.Fatal(msg)
	}
	if cl == nil {
		cl = e.NewClient()
	}
	e.Exec(cl, cmd, a, kernel.Discard{})
}

// logBytes counts the bytes of the records n XADDs cause with blocked
// consumers, each served one going back to wait.
func logBytes(t *testing.T, blocked, n int) int {
	clock := int64(1_700_000_000_000)
	e := newEngine(&clock)
	cs := blockConsumers(t, e, blocked)
	log := &memLog{}
	e.SetLog(log)
	add := argv("XADD", "s", "*", "f", "0123456789")
	xadd := e.Commands().Lookup(add[0])
	producer := e.NewClient()
	for range n {
		clock++
		e.Exec(producer, xadd, add, kernel.Discard{})
		e.ServeReady()
		cs.reblock(t)
	}
	total := 0
	for _, r := range log.recs {
		total += len(r.body) + 9
	}
	return total
}

// With 50 consumers blocked on a group, XADDs grow the log no more than
// with one: each entry is delivered once, and the others stay asleep.
func TestBlockedConsumersDoNotGrowTheLog(t *testing.T) {
	one, fifty := logBytes(t, 1, 5000), logBytes(t, 50, 5000)
	t.Logf("log bytes for 5000 XADDs: 1 blocked consumer %d, 50 blocked consumers %d (%.2fx)", one, fifty, float64(fifty)/float64(one))
	if float64(fifty) > 1.2*float64(one) {
		t.Fatalf("50 blocked consumers grew the log to %d bytes, 1 to %d: more than 1.2x", fifty, one)
	}
}

// BenchmarkXAdd is XADD alone, for comparison.
func BenchmarkXAdd(b *testing.B) {
	clock := int64(1_700_000_000_000)
	e := newEngine(&clock)
	e.SetLog(&discardLog{})
	add := argv("XADD", "s", "*", "f", "0123456789")
	xadd := e.Commands().Lookup(add[0])
	producer := e.NewClient()
	b.ReportAllocs()
	for range b.N {
		clock++
		e.Exec(producer, xadd, add, kernel.Discard{})
	}
}

// BenchmarkXAddBlocked measures XADD with consumers blocked on its
// stream's group, each served one going back to wait.
func BenchmarkXAddBlocked(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprint(n, "consumers"), func(b *testing.B) {
			clock := int64(1_700_000_000_000)
			e := newEngine(&clock)
			cs := blockConsumers(b, e, n)
			e.SetLog(&discardLog{})
			add := argv("XADD", "s", "*", "f", "0123456789")
			xadd := e.Commands().Lookup(add[0])
			producer := e.NewClient()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				clock++
				e.Exec(producer, xadd, add, kernel.Discard{})
				e.ServeReady()
				cs.reblock(b)
			}
		})
	}
}

// discardLog numbers records and keeps nothing.
type discardLog struct{ n uint64 }

func (l *discardLog) Append(byte, []byte) (uint64, error) {
	l.n++
	return l.n, nil
}

func (l *discardLog) Err() error { return nil }

// BenchmarkXReadGroup100 delivers 100 entries per call, consumers in turn.
func BenchmarkXReadGroup100(b *testing.B) {
	clock := int64(1_700_000_000_000)
	e := newEngine(&clock)
	e.SetLog(&discardLog{})
	add := argv("XADD", "s", "*", "f", "0123456789")
	xadd := e.Commands().Lookup(add[0])
	cl := e.NewClient()
	for range b.N*100 + 100 {
		clock++
		e.Exec(cl, xadd, add, kernel.Discard{})
	}
	exec(b, e, cl, "XGROUP", "CREATE", "s", "g", "0")
	read := e.Commands().Lookup([]byte("xreadgroup"))
	var args [][][]byte
	for i := range 50 {
		args = append(args, argv("XREADGROUP", "GROUP", "g", fmt.Sprint("c", i), "COUNT", "100", "STREAMS", "s", ">"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		clock++
		e.Exec(cl, read, args[i%50], kernel.Discard{})
	}
}
