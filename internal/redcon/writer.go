package redcon

import "io"

const (
	// maxBufferCap is the largest buffer a Writer keeps after a flush.
	maxBufferCap = 262144
	// sendChunk is how much Send writes at a time, so that OutPending
	// follows a large reply as a slow client takes it.
	sendChunk = 256 << 10
)

// Writer buffers replies for a connection until Flush.
type Writer struct {
	w     io.Writer
	b     []byte
	err   error
	stats *Stats
}

func newWriter(w io.Writer, st *Stats) *Writer { return &Writer{w: w, stats: st} }

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
	if len(w.b) == 0 {
		return nil
	}
	_, w.err = w.w.Write(w.b)
	w.stats.Progress.Add(1)
	if cap(w.b) > maxBufferCap || w.err != nil {
		w.b = nil
	} else {
		w.b = w.b[:0]
	}
	return w.err
}

// Send writes what is buffered, then data, without copying data, and
// returns once the kernel has taken all of it. A client that does not
// read thus holds up its own connection only, and no more replies are
// built for it than it takes: what is not yet sent is at most the reply
// being sent, shown in Stats.OutPending as it goes down chunk by chunk.
// Closing the connection (from any goroutine) ends a Send that waits.
func (w *Writer) Send(data []byte) error {
	if err := w.Flush(); err != nil {
		return err
	}
	defer w.stats.OutPending.Store(0)
	for len(data) > 0 {
		w.stats.OutPending.Store(int64(len(data)))
		n := min(len(data), sendChunk)
		if _, w.err = w.w.Write(data[:n]); w.err != nil {
			return w.err
		}
		w.stats.Progress.Add(1)
		data = data[n:]
	}
	return nil
}
