package commands

import (
	"strconv"

	"sluice/kernel"
	"sluice/streams"
)

// A stream's limits (XCFGSET MAXAGE, MAXLEN, MAXBYTES, DISCARD) are kept
// when entries are added: admit runs before an entry joins, enforce after.
// The MAXAGE sweep (kernel.RetentionCycle) keeps MAXAGE between XADDs.

// entrySize is about the bytes an entry takes in a block (Stream.Bytes):
// a flag, the ID deltas and every field and value with its length; a
// little more than that when the fields repeat the block's.
func entrySize(fv [][]byte) uint64 {
	n := uint64(1 + 2*9 + 1)
	for _, x := range fv {
		n += uint64(len(x) + 2)
	}
	return n
}

// admit decides whether fv may join s under DISCARD NEW or ACKED. Under
// ACKED it first trims, oldest first, entries every group has acked, to
// make room. When the entry must be refused it returns Redis-style error
// text with a code clients can match.
func admit(c *Ctx, key []byte, s *kernel.Stream, fv [][]byte) (string, bool) {
	r := s.Retention()
	if r.Discard == kernel.DiscardOld || (r.MaxLen == 0 && r.MaxBytes == 0) {
		return "", true
	}
	size := entrySize(fv)
	fits := func() (string, bool) {
		switch {
		case r.MaxLen > 0 && s.Len()+1 > r.MaxLen:
			return "FULL stream '" + string(key) + "' is full (MAXLEN " + strconv.FormatUint(r.MaxLen, 10) + ")", false
		case r.MaxBytes > 0 && s.Bytes()+size > r.MaxBytes:
			return "FULL stream '" + string(key) + "' is full (MAXBYTES " + strconv.FormatUint(r.MaxBytes, 10) + ")", false
		}
		return "", true
	}
	if msg, ok := fits(); ok || r.Discard == kernel.DiscardNew {
		return msg, ok
	}
	if r.MaxLen > 0 && s.Len()+1 > r.MaxLen {
		c.Dirty(c.Trim(key, s, streams.Trim{MaxLen: r.MaxLen - 1}, kernel.AckedRef))
	}
	if r.MaxBytes > 0 && s.Bytes()+size > r.MaxBytes {
		c.Dirty(c.Trim(key, s, streams.Trim{ByBytes: true, MaxBytes: r.MaxBytes - min(size, r.MaxBytes)}, kernel.AckedRef))
	}
	return fits()
}

// admitNew decides whether fv may start a stream at key, under the limits
// a new stream gets (the stream-max-* parameters).
func admitNew(c *Ctx, key []byte, fv [][]byte) (string, bool) {
	r := c.NewStreamRetention()
	if r.Discard == kernel.DiscardOld {
		return "", true
	}
	if r.MaxBytes > 0 && entrySize(fv) > r.MaxBytes {
		return "FULL stream '" + string(key) + "' is full (MAXBYTES " + strconv.FormatUint(r.MaxBytes, 10) + ")", false
	}
	return "", true
}

// enforce trims s after an entry joined it: under DISCARD OLD the oldest
// whole blocks go beyond MAXLEN and MAXBYTES (a standing XADD MAXLEN ~),
// and MAXAGE removes entries older than the limit under any policy, only
// acked ones under ACKED.
func enforce(c *Ctx, key []byte, s *kernel.Stream) {
	r := s.Retention()
	if r.Discard == kernel.DiscardOld {
		if r.MaxLen > 0 && s.Len() > r.MaxLen {
			c.Dirty(c.Trim(key, s, streams.Trim{MaxLen: r.MaxLen, Approx: true}, kernel.KeepRef))
		}
		if r.MaxBytes > 0 && s.Bytes() > r.MaxBytes {
			c.Dirty(c.Trim(key, s, streams.Trim{ByBytes: true, MaxBytes: r.MaxBytes}, kernel.KeepRef))
		}
	}
	if r.MaxAge > 0 {
		minID := streams.ID{Ms: uint64(max(c.Now-r.MaxAge, 0))}
		if s.Len() > 0 && s.FirstID().Less(minID) {
			policy := kernel.KeepRef
			if r.Discard == kernel.DiscardAcked {
				policy = kernel.AckedRef
			}
			c.Dirty(c.Trim(key, s, streams.Trim{ByMinID: true, MinID: minID}, policy))
		}
	}
}
