package engine

import "sluice/streams"

func init() {
	register(&Cmd{Name: "xadd", Arity: -5, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
		Group: "stream", Since: "5.0.0", Summary: "Appends a new message to a stream. Creates the key if it doesn't exist.", Run: xadd})
}

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
func (c *Ctx) parseAdd(a *addArgs) bool {
	args := c.Args
	i := 2
	for ; i < len(args); i++ {
		opt := args[i]
		if len(opt) == 1 && opt[0] == '*' {
			break
		}
		last, handled, ok := c.parseTrimOption(args, i, &a.trim)
		if !ok {
			return false
		}
		if handled {
			i = last
			continue
		}
		more := len(args) - 1 - i
		switch {
		case Equal(opt, "nomkstream"):
			a.noMkStream = true
			continue
		case Equal(opt, "idmp") && more >= 2, Equal(opt, "idmpauto") && more >= 1:
			if a.idmp {
				c.Error("ERR IDMP/IDMPAUTO specified multiple times")
				return false
			}
			a.idmp, a.idmpAuto, a.pid = true, Equal(opt, "idmpauto"), args[i+1]
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
	if !c.parseAdd(&a) {
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
	if !c.finishTrim(&a.trim, false) {
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
	sv, ok := c.stream(args[1])
	if !ok {
		return
	}
	if sv == nil {
		if a.noMkStream {
			c.W.Null()
			return
		}
		sv = c.createStream(args[1])
	}
	if sv.LastID() == streams.MaxID {
		c.Error(streams.ErrIDExhaust.Error())
		return
	}
	if a.idmp {
		if a.idmpAuto {
			a.iid = autoIID(fv)
		}
		if st := sv.ext.idmp; st != nil {
			if orig, dup := st.lookup(a.pid, a.iid, c.Now); dup {
				// Counted in XINFO, so logged like a change to survive restarts.
				st.duplicates++
				c.Dirty(1)
				replyID(c.W, orig)
				return
			}
		}
	}
	var err error
	if auto || autoSeq {
		id, err = sv.NextID(uint64(c.Now), auto, autoSeq, id.Ms)
	} else {
		err = sv.CheckID(id)
	}
	if err != nil {
		c.Error(err.Error())
		return
	}
	sv.Append(id, fv, c.e.limits())
	c.Dirty(1)
	if a.idmp {
		if sv.ext.idmp == nil {
			sv.ext.idmp = c.e.newIdmpState()
		}
		sv.ext.idmp.record(a.pid, a.iid, id, c.Now)
	}
	if a.trim.given {
		a.trim.apply(sv)
		if a.trim.Approx {
			c.LogAs(a.trim.resolvedArgs(c, args, sv.Len()))
		}
	}
	c.W.Bulk(id.Append(c.e.idBuf[:0])) // engine scratch: no allocation per XADD
}
