package kernel_test

import (
	"fmt"
	"testing"

	"sluice/kernel"
)

// BenchmarkXReadGroupKeys is a work queue on entries spread over 10,000
// keys: 50 consumers in turn read COUNT 100 and ack each batch ten reads
// later (about 1,000 entries in flight), plain and with ORDERBY on the key
// field, where an entry whose key is in flight is held and goes out later.
// One op is one read and one ack of up to 100 entries.
func BenchmarkXReadGroupKeys(b *testing.B) {
	for _, mode := range []string{"plain", "orderby"} {
		b.Run(mode, func(b *testing.B) {
			clock := int64(1_700_000_000_000)
			e := newEngine(&clock)
			e.SetLog(&discardLog{})
			cl := e.NewClient()
			xadd := e.Commands().Lookup([]byte("xadd"))
			for i := range b.N*100 + 1000 {
				clock++
				e.Exec(cl, xadd, argv("XADD", "s", "*", "key", fmt.Sprint("k", i*7919%10_000), "f", "0123456789"), kernel.Discard{})
			}
			exec(b, e, cl, "XGROUP", "CREATE", "s", "g", "0")
			if mode == "orderby" {
				exec(b, e, cl, "XGROUP", "CONFIG", "s", "g", "ORDERBY", "key")
			}
			read := e.Commands().Lookup([]byte("xreadgroup"))
			ack := e.Commands().Lookup([]byte("xack"))
			var args [][][]byte
			for i := range 50 {
				args = append(args, argv("XREADGROUP", "GROUP", "g", fmt.Sprint("c", i), "COUNT", "100", "STREAMS", "s", ">"))
			}
			var inFlight [10][][]byte
			delivered := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				clock++
				var got ids
				e.Exec(cl, read, args[i%50], &got)
				delivered += len(got.ids)
				slot := i % len(inFlight)
				if old := inFlight[slot]; len(old) > 0 {
					e.Exec(cl, ack, append(argv("XACK", "s", "g"), old...), kernel.Discard{})
				}
				inFlight[slot] = got.ids
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(delivered, 1)), "ns/entry")
		})
	}
}

// ids collects the entry IDs of a read's reply.
type ids struct {
	kernel.Discard
	ids [][]byte
}

// Bulk keeps the entry IDs: the only bulks with a '-' in this workload.
func (r *ids) Bulk(x []byte) {
	for _, c := range x {
		if c == '-' {
			r.ids = append(r.ids, append([]byte(nil), x...))
			return
		}
	}
}
