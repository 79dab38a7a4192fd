package resp

import (
	"math"
	"strconv"
)

// writer renders engine replies as RESP2 or RESP3 into a buffer that the
// connection sends once the pipeline's changes are durable.
type writer struct {
	buf   []byte
	resp3 bool
	// limit is the size buf may not reach (the client's hard output buffer
	// limit; 0: none). Reaching it, the writer lets go of buf, drops every
	// later reply and sets over: the connection is then closed, as
	// Redis closes a client over its limit. A reply too large for its
	// client so costs at most the limit, however much the command reads.
	limit int
	over  bool
}

// check enforces limit after an append.
func (w *writer) check() {
	if w.limit > 0 && len(w.buf) >= w.limit {
		w.over, w.buf = true, nil
	}
}

func (w *writer) header(prefix byte, n int) {
	if w.over {
		return
	}
	w.buf = append(w.buf, prefix)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
	w.check()
}

func (w *writer) Array(n int) { w.header('*', n) }

func (w *writer) Map(n int) {
	if w.resp3 {
		w.header('%', n)
	} else {
		w.header('*', 2*n)
	}
}

func (w *writer) Set(n int) {
	if w.resp3 {
		w.header('~', n)
	} else {
		w.header('*', n)
	}
}

func (w *writer) Bulk(b []byte) {
	w.header('$', len(b))
	if w.over {
		return
	}
	w.buf = append(w.buf, b...)
	w.buf = append(w.buf, '\r', '\n')
	w.check()
}

func (w *writer) BulkString(s string) {
	w.header('$', len(s))
	if w.over {
		return
	}
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
	w.check()
}

func (w *writer) Status(s string) {
	if w.over {
		return
	}
	w.buf = append(w.buf, '+')
	w.buf = appendLine(w.buf, s)
	w.check()
}

func (w *writer) Error(s string) {
	if w.over {
		return
	}
	w.buf = append(w.buf, '-')
	w.buf = appendLine(w.buf, s)
	w.check()
}

// appendLine appends s and CRLF, replacing CR and LF inside s with spaces
// so a simple string can never break the protocol.
func appendLine(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return append(b, '\r', '\n')
}

func (w *writer) Int(n int64) {
	if w.over {
		return
	}
	w.buf = append(w.buf, ':')
	w.buf = strconv.AppendInt(w.buf, n, 10)
	w.buf = append(w.buf, '\r', '\n')
	w.check()
}

func (w *writer) Double(f float64) {
	if !w.resp3 {
		w.Bulk(strconv.AppendFloat(nil, f, 'g', 17, 64))
		return
	}
	if w.over {
		return
	}
	w.buf = append(w.buf, ',')
	switch {
	case math.IsInf(f, 1):
		w.buf = append(w.buf, "inf"...)
	case math.IsInf(f, -1):
		w.buf = append(w.buf, "-inf"...)
	default:
		w.buf = strconv.AppendFloat(w.buf, f, 'g', 17, 64)
	}
	w.buf = append(w.buf, '\r', '\n')
	w.check()
}

func (w *writer) Null() {
	if w.over {
		return
	}
	if w.resp3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "$-1\r\n"...)
	}
	w.check()
}

func (w *writer) NullArray() {
	if w.over {
		return
	}
	if w.resp3 {
		w.buf = append(w.buf, "_\r\n"...)
	} else {
		w.buf = append(w.buf, "*-1\r\n"...)
	}
	w.check()
}

func (w *writer) Verbatim(format, s string) {
	if !w.resp3 {
		w.BulkString(s)
		return
	}
	w.header('=', len(s)+4)
	if w.over {
		return
	}
	w.buf = append(w.buf, format...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
	w.check()
}

func (w *writer) Resp3() bool { return w.resp3 }

// DeferArray remembers where the aggregate starts; Set* inserts its header
// there, moving what was written since.
func (w *writer) DeferArray() int { return len(w.buf) }

func (w *writer) SetArray(mark, n int) { w.insertHeader(mark, '*', n) }

func (w *writer) SetMap(mark, n int) {
	if w.resp3 {
		w.insertHeader(mark, '%', n)
	} else {
		w.insertHeader(mark, '*', n)
	}
}

func (w *writer) Truncate(mark int) { w.buf = w.buf[:mark] }

func (w *writer) insertHeader(mark int, prefix byte, n int) {
	if w.over {
		return
	}
	var h [24]byte
	hb := append(h[:0], prefix)
	hb = strconv.AppendInt(hb, int64(n), 10)
	hb = append(hb, '\r', '\n')
	w.buf = append(w.buf, hb...) // grow
	copy(w.buf[mark+len(hb):], w.buf[mark:len(w.buf)-len(hb)])
	copy(w.buf[mark:], hb)
	w.check()
}

// keepBuffer is the largest reply buffer a connection keeps once its
// replies are sent: one big reply must not stay with the connection.
const keepBuffer = 16 << 10

// reset empties the buffer after its replies were sent.
func (w *writer) reset() {
	if cap(w.buf) > keepBuffer {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
}
