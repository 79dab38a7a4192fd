package resp

import (
	"strconv"
	"sync"
	"time"
)

// cron is the server's housekeeping, once a second until Close: it closes
// clients idle past timeout and clients whose unsent output stays over
// the soft output limit, and samples the largest buffers for INFO.
func (s *Server) cron() {
	defer close(s.cronDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.cronStop:
			return
		case now := <-t.C:
			s.tick(now)
		}
	}
}

// tick checks every client once.
func (s *Server) tick(now time.Time) {
	timeout := s.timeout.Load()
	var in, out int64
	for _, c := range s.clientsUnordered() {
		st := c.conn.Stats()
		// Reading or writing part of a long request or reply is activity.
		if p := st.Progress.Load(); p != c.progress {
			c.progress = p
			c.touch()
		}
		pending := st.OutPending.Load()
		in = max(in, c.x.peakIn.Swap(0), st.QueryBufCap.Load())
		out = max(out, c.x.peakOut.Swap(0), pending)
		if pending > 0 && c.overOutputLimit(pending) {
			c.closeForOutput(pending)
			continue
		}
		// Redis's clientsCronHandleTimeout: a blocked client is waiting,
		// not idle.
		if timeout > 0 && !c.x.blocked.Load() && now.UnixMilli()-c.lastActive.Load() > timeout*1000 {
			s.log.Debug("closing idle client", "client", c.eng.ID, "addr", c.addr)
			c.stop()
		}
	}
	s.recentIn.add(now, in)
	s.recentOut.add(now, out)
}

// SetTimeout sets timeout: clients idle for more seconds are closed (0:
// never).
func (s *Server) SetTimeout(seconds int64) { s.timeout.Store(seconds) }

// recentMax is the largest value of the last 8 seconds, kept per second
// as Redis keeps client_recent_max_input_buffer (CLIENTS_PEAK_MEM_USAGE_SLOTS).
type recentMax struct {
	mu    sync.Mutex
	slots [8]int64
	at    [8]int64 // the second each slot holds
}

func (r *recentMax) add(now time.Time, v int64) {
	sec := now.Unix()
	i := sec % int64(len(r.slots))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at[i] != sec {
		r.at[i], r.slots[i] = sec, 0
	}
	r.slots[i] = max(r.slots[i], v)
}

func (r *recentMax) get(now time.Time) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m int64
	for i, v := range r.slots {
		if now.Unix()-r.at[i] < int64(len(r.slots)) {
			m = max(m, v)
		}
	}
	return strconv.FormatInt(m, 10)
}
