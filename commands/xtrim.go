package commands

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] [KEEPREF|DELREF|ACKED]
func xtrim(c *Ctx) {
	// As in Redis, a missing key answers 0 before the options are checked.
	sv, ok := c.Stream(c.Args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.W.Int(0)
		return
	}
	var t trimArgs
	for i := 2; i < len(c.Args); i++ {
		last, handled, ok := parseTrimOption(c, c.Args, i, &t)
		if !ok {
			return
		}
		if !handled {
			c.Error(errSyntax)
			return
		}
		i = last
	}
	if !finishTrim(c, &t, true) {
		return
	}
	n := t.apply(c, c.Args[1], sv)
	c.Dirty(n)
	c.W.Int(n)
}
