package engine

import "sluice/streams"

func init() {
	register(&Cmd{Name: "xadd", Arity: -5, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
		Group: "stream", Since: "5.0.0", Summary: "Appends a new message to a stream. Creates the key if it doesn't exist.", Run: xadd})
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func xadd(c *Ctx) {
	args := c.Args
	var t trimArgs
	noMkStream := false
	i := 2
	for ; i < len(args); i++ {
		opt := args[i]
		if len(opt) == 1 && opt[0] == '*' {
			break
		}
		next, handled, ok := c.parseTrimOption(args, i, &t)
		if !ok {
			return
		}
		if handled {
			i = next - 1
			continue
		}
		if Equal(opt, "nomkstream") {
			noMkStream = true
			continue
		}
		break // the ID
	}
	if !c.finishTrim(&t) {
		return
	}
	if i >= len(args) || len(args)-i < 3 || (len(args)-i)%2 == 0 {
		c.ArgErr()
		return
	}
	id, auto, autoSeq, err := streams.ParseAddID(args[i])
	if err != nil {
		c.Error(err.Error())
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
		if noMkStream {
			c.W.Null()
			return
		}
		sv = c.createStream(args[1])
	}
	if sv.LastID() == streams.MaxID {
		c.Error(streams.ErrIDExhaust.Error())
		return
	}
	if auto || autoSeq {
		if id, err = sv.NextID(uint64(c.Now), auto, autoSeq, id.Ms); err != nil {
			c.Error(err.Error())
			return
		}
	} else if err = sv.CheckID(id); err != nil {
		c.Error(err.Error())
		return
	}
	sv.Append(id, args[i+1:], c.e.limits())
	replyID(c.W, id)
	c.Dirty(1)
	if t.given {
		sv.Trim(t.Trim)
	}
}
