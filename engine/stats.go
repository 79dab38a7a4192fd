package engine

// stats are the counters INFO reports; all guarded by the engine lock.
type stats struct {
	errors map[string]int64 // errorstats, by error code
}

func (s *stats) init() { s.errors = map[string]int64{} }

// ResetStats clears commandstats and errorstats (CONFIG RESETSTAT).
func (e *Engine) ResetStats() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range table {
		c.calls, c.usec, c.failed, c.rejected = 0, 0, 0, 0
		for _, s := range c.Subs {
			s.calls, s.usec, s.failed, s.rejected = 0, 0, 0, 0
		}
	}
	e.stats.init()
}

// CountError counts an error reply sent by the protocol layer itself
// (unknown command, arity, NOAUTH...).
func (e *Engine) CountError(msg string) {
	code := msg
	for i := 0; i < len(msg); i++ {
		if msg[i] == ' ' {
			code = msg[:i]
			break
		}
	}
	e.mu.Lock()
	e.stats.errors[code]++
	e.mu.Unlock()
}
