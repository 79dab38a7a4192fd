package commands

import "sluice/streams"

// addArgs are XADD's options besides trimming.
type addArgs struct {
	trim       trimArgs
	noMkStream bool
	idmp       bool // IDMP or IDMPAUTO given
	idmpAuto   bool // IDMPAUTO: the iid comes from the content
	pid, iid   []byte
	at         int // position of the ID argument
}

// parseAdd parses XADD's options up to the ID, in any order, as Redis's
// streamParseAddOrTrimArgsOrReply does.
func parseAdd(c *Ctx, a *addArgs) bool {
	args := c.Args
	i := 2
	for ; i < len(args); i++ {
		opt := args[i]
		if len(opt) == 1 && opt[0] == '*' {
			break
		}
		last, handled, ok := parseTrimOption(c, args, i, &a.trim)
		if !ok {
			return false
		}
		if handled {
			i = last
			continue
		}
		more := len(args) - 1 - i
		switch {
		case equal(opt, "nomkstream"):
			a.noMkStream = true
			continue
		case equal(opt, "idmp") && more >= 2, equal(opt, "idmpauto") && more >= 1:
			if a.idmp {
				c.Error("ERR IDMP/IDMPAUTO specified multiple times")
				return false
			}
			a.idmp, a.idmpAuto, a.pid = true, equal(opt, "idmpauto"), args[i+1]
			name := "IDMP"
			if a.idmpAuto {
				name = "IDMPAUTO"
			}
			if len(a.pid) == 0 {
				c.Error("ERR " + name + " requires a non-empty producer ID")
				return false
			}
			i++
			if !a.idmpAuto {
				i++
				if a.iid = args[i]; len(a.iid) == 0 {
					c.Error("ERR IDMP requires a non-empty idempotent ID")
					return false
				}
			}
			continue
		}
		break // the ID
	}
	a.at = i
	return true
}

// XADD key [NOMKSTREAM] [KEEPREF|DELREF|ACKED] [IDMPAUTO pid | IDMP pid iid]
// [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func xadd(c *Ctx) {
	args := c.Args
	var a addArgs
	if !parseAdd(c, &a) {
		return
	}
	var id streams.ID
	auto, autoSeq := true, false
	if a.at < len(args) && !(len(args[a.at]) == 1 && args[a.at][0] == '*') {
		var err error
		if id, _, autoSeq, err = streams.ParseAddID(args[a.at]); err != nil {
			c.Error(err.Error())
			return
		}
		auto = false
	}
	if !finishTrim(c, &a.trim, false) {
		return
	}
	if a.idmp && !auto {
		c.Error("ERR IDMP/IDMPAUTO can be used only with auto-generated IDs")
		return
	}
	fv := args[min(a.at+1, len(args)):]
	if len(fv) < 2 || len(fv)%2 != 0 {
		c.ArgErr()
		return
	}
	if !auto && !autoSeq && id.IsZero() {
		c.Error(streams.ErrIDZero.Error())
		return
	}
	key := args[1]
	s, ok := c.Stream(key)
	if !ok {
		return
	}
	if s == nil && a.noMkStream {
		c.W.Null()
		return
	}
	if s != nil && s.LastID() == streams.MaxID {
		c.Error(streams.ErrIDExhaust.Error())
		return
	}
	if a.idmp {
		if a.idmpAuto {
			a.iid = autoIID(fv)
		}
		if s != nil {
			if orig, dup := c.IDMPLookup(s, a.pid, a.iid); dup {
				c.CountIDMPDuplicate(key, s)
				c.Dirty(1)
				replyID(c.W, orig)
				return
			}
		}
	}
	if s != nil {
		if msg, ok := admit(c, key, s, fv); !ok {
			c.Error(msg)
			return
		}
	} else if msg, ok := admitNew(c, key, fv); !ok {
		c.Error(msg)
		return
	}
	last := streams.ID{}
	if s != nil {
		last = s.LastID()
	}
	if auto || autoSeq {
		var err error
		if id, err = streams.NextID(last, uint64(c.Now), auto, autoSeq, id.Ms); err != nil {
			c.Error(err.Error())
			return
		}
	} else if !last.Less(id) {
		c.Error(streams.ErrIDTooSmall.Error())
		return
	}
	if s == nil {
		s = c.CreateStream(key)
	}
	c.AddEntry(key, s, id, fv)
	c.Dirty(1)
	if a.idmp {
		c.StartIDMP(key, s)
		c.RecordIDMP(key, s, a.pid, a.iid, id)
	}
	if a.trim.given {
		a.trim.apply(c, key, s)
	}
	enforce(c, key, s)
	c.W.Bulk(id.Append(c.IDBuf())) // engine scratch: no allocation per XADD
}
