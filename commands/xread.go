package commands

import (
	"strings"

	"sluice/internal/redisint"
	"sluice/kernel"
	"sluice/streams"
)

// readArgs are the options of XREAD and XREADGROUP.
type readArgs struct {
	count     int64 // 0 = no limit
	maxCount  int64 // MAXCOUNT: entries in all streams together; 0 = no limit
	maxSize   int64 // MAXSIZE: soft cap on the reply's bytes; 0 = no limit
	block     int64 // -1 = no BLOCK; 0 = forever
	streamsAt int   // index of the first key
	n         int   // number of streams
	group     []byte
	consumer  []byte
	noack     bool
	claim     int64 // -1 = no CLAIM; else min idle ms
}

// keys returns the stream keys; ids their ID arguments.
func (r *readArgs) keys(args [][]byte) [][]byte { return args[r.streamsAt : r.streamsAt+r.n] }
func (r *readArgs) ids(args [][]byte) [][]byte  { return args[r.streamsAt+r.n:] }

// streamsKeys finds the keys of XREAD and XREADGROUP after STREAMS.
func streamsKeys(args [][]byte) []int {
	for i := 1; i < len(args); i++ {
		if equal(args[i], "streams") {
			n := (len(args) - i - 1) / 2
			idx := make([]int, n)
			for j := range idx {
				idx[j] = i + 1 + j
			}
			return idx
		}
	}
	return nil
}

// parseRead parses XREAD/XREADGROUP options as Redis's xreadCommand does.
func parseRead(c *Ctx, group bool) (*readArgs, bool) {
	args := c.Args
	r := &readArgs{block: -1, claim: -1}
	name := "xread"
	symbols := ", '+', or '$'"
	if group {
		name, symbols = "xreadgroup", " or '>'"
	}
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		o := args[i]
		switch {
		case equal(o, "block") && more > 0:
			i++
			t, ok := parseTimeout(c, args[i])
			if !ok {
				return nil, false
			}
			r.block = t
		case equal(o, "count") && more > 0:
			i++
			n, ok := c.Int(args[i])
			if !ok {
				return nil, false
			}
			r.count = max(n, 0)
		case (equal(o, "maxcount") || equal(o, "maxsize")) && more > 0:
			i++
			n, ok := c.Int(args[i])
			if !ok {
				return nil, false
			}
			if n < 0 {
				c.Error("ERR " + strings.ToUpper(string(o)) + " must be a non-negative integer")
				return nil, false
			}
			if equal(o, "maxcount") {
				r.maxCount = n
			} else {
				r.maxSize = n
			}
		case equal(o, "streams") && more > 0:
			r.streamsAt = i + 1
			if (len(args)-r.streamsAt)%2 != 0 {
				c.Error("ERR Unbalanced '" + name + "' list of streams: for each stream key an ID" + symbols + " must be specified.")
				return nil, false
			}
			r.n = (len(args) - r.streamsAt) / 2
			i = len(args)
		case equal(o, "group") && more >= 2:
			if !group {
				c.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return nil, false
			}
			r.group, r.consumer = args[i+1], args[i+2]
			i += 2
		case equal(o, "noack"):
			if !group {
				c.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return nil, false
			}
			r.noack = true
		case equal(o, "claim") && more > 0:
			if !group {
				c.Error("ERR The CLAIM option is only supported by XREADGROUP. You called XREAD instead.")
				return nil, false
			}
			i++
			n, ok := redisint.Parse(args[i])
			if !ok {
				c.Error("ERR min-idle-time is not an integer or out of range")
				return nil, false
			}
			if n < 0 {
				c.Error("ERR min-idle-time must be a positive integer")
				return nil, false
			}
			r.claim = n
		default:
			c.Error(errSyntax)
			return nil, false
		}
	}
	if r.streamsAt == 0 {
		c.Error(errSyntax)
		return nil, false
	}
	if group && r.group == nil {
		c.Error("ERR Missing GROUP option for XREADGROUP")
		return nil, false
	}
	return r, true
}

// timeout parses a BLOCK argument in milliseconds.
func parseTimeout(c *Ctx, b []byte) (int64, bool) {
	n, ok := redisint.Parse(b)
	if !ok {
		c.Error("ERR timeout is not an integer or out of range")
		return 0, false
	}
	if n < 0 {
		c.Error("ERR timeout is negative")
		return 0, false
	}
	return n, true
}

// XREAD [COUNT count] [MAXCOUNT n] [MAXSIZE bytes] [BLOCK milliseconds]
// STREAMS key [key ...] id [id ...]
func xread(c *Ctx) {
	r, ok := parseRead(c, false)
	if !ok {
		return
	}
	keys, idArgs := r.keys(c.Args), r.ids(c.Args)
	// Most reads name a few streams: keep their state on the stack.
	var afterBuf [4]streams.ID
	var svsBuf [4]*kernel.Stream
	after, svs := afterBuf[:0], svsBuf[:0]
	if r.n > len(afterBuf) {
		after, svs = make([]streams.ID, 0, r.n), make([]*kernel.Stream, 0, r.n)
	}
	after, svs = after[:r.n], svs[:r.n]
	resolved := false // "$" or "+" given: a retry must read after what they meant now
	for i, key := range keys {
		sv, ok := c.Stream(key)
		if !ok {
			return
		}
		svs[i] = sv
		switch a := idArgs[i]; {
		case len(a) == 1 && a[0] == '$':
			if sv != nil {
				after[i] = sv.LastID()
			}
			resolved = true
		case len(a) == 1 && a[0] == '>':
			c.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
			return
		case len(a) == 1 && a[0] == '+':
			// The last entry: read after the ID just below it.
			if sv != nil && sv.Len() > 0 {
				after[i], _ = sv.LastEntryID().Prev()
			}
			resolved = true
		default:
			if after[i], ok = c.ParseID(a); !ok {
				return
			}
		}
	}
	if replyRead(c, r, keys, svs, after) {
		return
	}
	if r.block < 0 {
		c.W.NullArray()
		return
	}
	retry := c.Args
	if resolved {
		retry = make([][]byte, len(c.Args))
		copy(retry, c.Args)
		for i, a := range idArgs {
			if len(a) == 1 && (a[0] == '$' || a[0] == '+') {
				retry[r.streamsAt+r.n+i] = after[i].Append(nil)
			}
		}
	}
	on := make([]kernel.WaitOn, len(keys))
	for i, k := range keys {
		on[i] = kernel.WaitOn{Key: k, After: after[i]}
	}
	c.Block(on, r.block, retry, func(w Reply) { w.NullArray() })
}

// replyRead writes the entries after after[i] of each stream, if any, and
// reports whether it replied. Streams with nothing new are left out.
func replyRead(c *Ctx, r *readArgs, keys [][]byte, svs []*kernel.Stream, after []streams.ID) bool {
	w := c.W
	total := clampCount(r.maxCount)
	size := clampCount(r.maxSize)
	mark, served := 0, 0
	var n, bytes int64
	var buf [48]byte
	for i, sv := range svs {
		if n >= total || bytes >= size {
			break
		}
		if sv == nil || sv.Len() == 0 || !after[i].Less(sv.LastEntryID()) {
			continue
		}
		if served == 0 {
			mark = w.DeferArray()
		}
		served++
		if !w.Resp3() {
			w.Array(2)
		}
		w.Bulk(keys[i])
		start, _ := after[i].Next()
		count := min(clampCount(r.count), total-n)
		inner := w.DeferArray()
		var got int64
		sv.Range(start, streams.MaxID, false, func(id streams.ID, fv [][]byte) bool {
			replyEntry(w, id, fv, buf[:0])
			got++
			// MAXSIZE is soft: the entry that reaches it is still sent.
			bytes += int64(len(id.Append(buf[:0])))
			for _, x := range fv {
				bytes += int64(len(x))
			}
			return got < count && bytes < size
		})
		w.SetArray(inner, int(got))
		n += got
	}
	if served == 0 {
		return false
	}
	w.SetMap(mark, served)
	return true
}
