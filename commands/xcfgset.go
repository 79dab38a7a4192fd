package commands

import "sluice/kernel"

// XCFGSET key [IDMP-DURATION duration] [IDMP-MAXSIZE maxsize]
func xcfgset(c *Ctx) {
	args := c.Args
	duration, maxSize := int64(-1), int64(-1)
	for i := 2; i < len(args); i += 2 {
		isDuration := equal(args[i], "idmp-duration")
		if !isDuration && !equal(args[i], "idmp-maxsize") || i+1 >= len(args) {
			c.Error(errSyntax)
			return
		}
		n, ok := c.Int(args[i+1])
		if !ok {
			return
		}
		if isDuration {
			if n < 1 || n > kernel.IDMPMaxDuration {
				c.Error("ERR IDMP-DURATION must be between 1 and 86400 seconds")
				return
			}
			duration = n
		} else {
			if n < 1 || n > kernel.IDMPMaxMaxSize {
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
	sv, ok := c.Stream(args[1])
	if !ok {
		return
	}
	if sv == nil {
		c.Error(errNoKey)
		return
	}
	cur := c.IDMP(sv)
	if duration < 0 {
		duration = cur.Duration
	}
	if maxSize < 0 {
		maxSize = int64(cur.MaxSize)
	}
	c.ConfigureIDMP(args[1], sv, duration, int(maxSize))
	c.Dirty(1)
	c.W.Status("OK")
}
