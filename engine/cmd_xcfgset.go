package engine

func init() {
	register(&Cmd{Name: "xcfgset", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
		Group: "stream", Since: "8.6.0", Summary: "Sets the IDMP configuration parameters for a stream.", Run: xcfgset})
}

// XCFGSET key [IDMP-DURATION duration] [IDMP-MAXSIZE maxsize]
func xcfgset(c *Ctx) {
	args := c.Args
	duration, maxSize := int64(-1), int64(-1)
	for i := 2; i < len(args); i += 2 {
		isDuration := Equal(args[i], "idmp-duration")
		if !isDuration && !Equal(args[i], "idmp-maxsize") || i+1 >= len(args) {
			c.Error(ErrSyntax)
			return
		}
		n, ok := c.Int(args[i+1])
		if !ok {
			return
		}
		if isDuration {
			if n < 1 || n > idmpMaxDuration {
				c.Error("ERR IDMP-DURATION must be between 1 and 86400 seconds")
				return
			}
			duration = n
		} else {
			if n < 1 || n > idmpMaxMaxSize {
				c.Error("ERR IDMP-MAXSIZE must be between 1 and 10000 entries")
				return
			}
			maxSize = n
		}
	}
	if duration < 0 && maxSize < 0 {
		c.Error("ERR At least one parameter must be specified")
		return
	}
	sv, ok := c.stream(args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.Error(ErrNoKey)
		return
	}
	st := sv.ext.idmp
	if st == nil {
		st = c.e.newIdmpState()
		sv.ext.idmp = st
	}
	if duration < 0 {
		duration = st.duration
	}
	if maxSize < 0 {
		maxSize = int64(st.maxSize)
	}
	st.configure(duration, int(maxSize))
	c.Dirty(1)
	c.W.Status("OK")
}
