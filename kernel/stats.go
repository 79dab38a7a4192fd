package kernel

import "time"

// stats are the counters INFO reports; all guarded by the engine lock.
type stats struct {
	cmds   []CommandStat    // by Command.id
	errors map[string]int64 // errorstats, by error code
	// expiredKeys counts keys removed because their time had come.
	expiredKeys, expireCycles int64
	// retentionTrimmed counts entries the MAXAGE sweep removed; sweepMax is
	// its longest lock hold.
	retentionTrimmed int64
	sweepMax         time.Duration
}

// CommandStat is one command's commandstats line.
type CommandStat struct {
	Calls, Usec, Failed, Rejected int64
}

func (s *stats) init(t *Table) {
	s.cmds = make([]CommandStat, len(t.all))
	s.errors = map[string]int64{}
	s.expiredKeys, s.expireCycles = 0, 0
	s.retentionTrimmed, s.sweepMax = 0, 0
}

func (s *stats) count(cmd *Command, start time.Time, failed bool) {
	st := &s.cmds[cmd.id]
	st.Calls++
	st.Usec += time.Since(start).Microseconds()
	if failed {
		st.Failed++
	}
}

// ResetStats clears commandstats, errorstats and the expiry counters
// (CONFIG RESETSTAT).
func (c *Ctx) ResetStats() { c.e.stats.init(c.e.table) }

// CommandStats calls fn for every command that ran, by full name.
func (c *Ctx) CommandStats(fn func(name string, st CommandStat)) {
	for i, st := range c.e.stats.cmds {
		if st.Calls > 0 || st.Failed > 0 || st.Rejected > 0 {
			fn(c.e.table.all[i].FullName(), st)
		}
	}
}

// ErrorStats calls fn for every error code replied.
func (c *Ctx) ErrorStats(fn func(code string, n int64)) {
	for code, n := range c.e.stats.errors {
		fn(code, n)
	}
}

// ExpiredKeys and ExpireCycles are INFO stats' expiry counters.
func (c *Ctx) ExpiredKeys() int64  { return c.e.stats.expiredKeys }
func (c *Ctx) ExpireCycles() int64 { return c.e.stats.expireCycles }

// CountError counts an error reply sent by the protocol layer itself
// (unknown command, arity, NOAUTH...), and a command it rejected.
func (e *Engine) CountError(cmd *Command, msg string) {
	e.mu.Lock()
	e.countError(msg)
	if cmd != nil {
		e.stats.cmds[cmd.id].Rejected++
	}
	e.mu.Unlock()
}

func (e *Engine) countError(msg string) {
	code := msg
	for i := 0; i < len(msg); i++ {
		if msg[i] == ' ' {
			code = msg[:i]
			break
		}
	}
	e.stats.errors[code]++
}
