package engine

func init() {
	register(&Cmd{Name: "xtrim", Arity: -4, Flags: FlagWrite | FlagNoWake, FirstKey: 1, LastKey: 1, Step: 1,
		Group: "stream", Since: "5.0.0", Summary: "Deletes messages from the beginning of a stream.", Run: xtrim})
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] [KEEPREF|DELREF|ACKED]
func xtrim(c *Ctx) {
	// As in Redis, a missing key answers 0 before the options are checked.
	sv, ok := c.stream(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.W.Int(0)
		return
	}
	var t trimArgs
	for i := 2; i < len(c.Args); i++ {
		last, handled, ok := c.parseTrimOption(c.Args, i, &t)
		if !ok {
			return
		}
		if !handled {
			c.Error(ErrSyntax)
			return
		}
		i = last
	}
	if !c.finishTrim(&t, true) {
		return
	}
	n := t.apply(sv)
	if n > 0 {
		c.Dirty(n)
		if t.Approx {
			c.LogAs(t.resolvedArgs(c, c.Args, sv.Len()))
		}
	}
	c.W.Int(n)
}
