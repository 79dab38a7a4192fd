// Package redisint parses integers exactly as Redis's string2ll does. Redis
// uses that rule both for integer arguments and for deciding whether a
// listpack stores a value as an integer, so the engine and the stream
// blocks must agree on it.
package redisint

// Parse accepts an optional '-', then digits without leading zeros (a lone
// "0" is fine), at most 20 bytes, within int64.
func Parse(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || (d[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var v uint64
	for _, ch := range d {
		if ch < '0' || ch > '9' || v > (1<<63)/10 {
			return 0, false
		}
		v = v*10 + uint64(ch-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}
