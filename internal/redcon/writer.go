package redcon

import "io"

// maxBufferCap is the largest buffer a Writer keeps after a flush.
const maxBufferCap = 262144

// Writer buffers replies for a connection until Flush.
type Writer struct {
	w   io.Writer
	b   []byte
	err error
}

// NewWriter returns a writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// WriteRaw appends bytes already in RESP.
func (w *Writer) WriteRaw(data []byte) {
	if w.err != nil {
		return
	}
	w.b = append(w.b, data...)
}

// WriteError appends an error reply; CR and LF in msg become spaces, as
// Redis's addReplyErrorFormat makes them.
func (w *Writer) WriteError(msg string) {
	if w.err != nil {
		return
	}
	w.b = append(w.b, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.b = append(w.b, c)
	}
	w.b = append(w.b, '\r', '\n')
}

// Flush writes what is buffered. After a write error every later write
// is dropped and Flush returns that error.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	_, w.err = w.w.Write(w.b)
	if cap(w.b) > maxBufferCap || w.err != nil {
		w.b = nil
	} else {
		w.b = w.b[:0]
	}
	return w.err
}
