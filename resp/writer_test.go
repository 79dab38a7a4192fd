package resp

import "testing"

func TestWriterShapes(t *testing.T) {
	cases := []struct {
		name   string
		resp3  bool
		write  func(w *writer)
		expect string
	}{
		{"null bulk", false, func(w *writer) { w.Null() }, "$-1\r\n"},
		{"null array", false, func(w *writer) { w.NullArray() }, "*-1\r\n"},
		{"resp3 nulls", true, func(w *writer) { w.Null(); w.NullArray() }, "_\r\n_\r\n"},
		{"map resp2", false, func(w *writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "*2\r\n$1\r\nk\r\n:1\r\n"},
		{"map resp3", true, func(w *writer) { w.Map(1); w.BulkString("k"); w.Int(1) }, "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"set", true, func(w *writer) { w.Set(0) }, "~0\r\n"},
		{"double resp2", false, func(w *writer) { w.Double(1.5) }, "$3\r\n1.5\r\n"},
		{"double resp3", true, func(w *writer) { w.Double(1.5) }, ",1.5\r\n"},
		{"verbatim", true, func(w *writer) { w.Verbatim("txt", "hi") }, "=6\r\ntxt:hi\r\n"},
		{"verbatim resp2", false, func(w *writer) { w.Verbatim("txt", "hi") }, "$2\r\nhi\r\n"},
		{"status strips newlines", false, func(w *writer) { w.Status("a\r\nb") }, "+a  b\r\n"},
		{"error", false, func(w *writer) { w.Error("ERR x") }, "-ERR x\r\n"},
		{"deferred nested", false, func(w *writer) {
			outer := w.DeferArray()
			w.Int(1)
			inner := w.DeferArray()
			w.Int(2)
			w.Int(3)
			w.SetArray(inner, 2)
			w.SetArray(outer, 2)
		}, "*2\r\n:1\r\n*2\r\n:2\r\n:3\r\n"},
		{"deferred map resp2 is an array of pairs", false, func(w *writer) {
			m := w.DeferArray()
			w.Array(2)
			w.BulkString("s")
			w.Array(0)
			w.SetMap(m, 1)
		}, "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"},
		{"deferred map resp3", true, func(w *writer) {
			m := w.DeferArray()
			w.BulkString("s")
			w.Array(0)
			w.SetMap(m, 1)
		}, "%1\r\n$1\r\ns\r\n*0\r\n"},
	}
	for _, c := range cases {
		w := &writer{resp3: c.resp3}
		c.write(w)
		if got := string(w.buf); got != c.expect {
			t.Errorf("%s: got %q want %q", c.name, got, c.expect)
		}
	}
}

// A writer that reaches its limit lets go of its buffer and drops every
// later reply, deferred aggregates included.
func TestWriterLimit(t *testing.T) {
	w := &writer{limit: 64}
	w.Status("OK")
	mark := w.DeferArray()
	for i := 0; i < 100; i++ {
		w.BulkString("0123456789")
	}
	w.SetArray(mark, 100)
	w.Int(1)
	if !w.over || w.buf != nil {
		t.Fatalf("over %v, %d bytes kept", w.over, len(w.buf))
	}
	w = &writer{limit: 64}
	w.BulkString("0123456789")
	if w.over || string(w.buf) != "$10\r\n0123456789\r\n" {
		t.Fatalf("within the limit: over %v, %q", w.over, w.buf)
	}
}
