package wal

import (
	"bytes"
	"testing"
)

func BenchmarkAppendWait(b *testing.B) {
	body := bytes.Repeat([]byte{'v'}, 100)
	for _, p := range []Policy{EverySec, Always} {
		b.Run(p.String(), func(b *testing.B) {
			l := openLog(b, b.TempDir(), p, 0)
			defer closeLog(b, l)
			b.ReportAllocs()
			b.SetParallelism(16) // many connections per CPU, as a server has
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					lsn, err := l.Append(1, body)
					if err == nil {
						err = l.Wait(lsn)
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/float64(max(l.syncs.Load(), 1)), "records/fsync")
		})
	}
}
