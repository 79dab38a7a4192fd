package engine

import "testing"

// BenchmarkExecXAdd measures one XADD through the command table and the
// engine lock, without the log or the network.
func BenchmarkExecXAdd(b *testing.B) {
	e := New(Options{})
	cl := e.NewClient()
	val := make([]byte, 100)
	args := [][]byte{[]byte("XADD"), []byte("s"), []byte("*"), []byte("f"), val}
	cmd, _ := Check(args)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e.Exec(cl, cmd, args, Discard{})
	}
}
