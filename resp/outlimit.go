package resp

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// OutputLimit is client-output-buffer-limit for normal clients (sluice has
// no replicas or pub/sub clients): a client whose unsent output passes
// Hard, or stays above Soft for SoftSeconds, is disconnected. 0 turns a
// limit off.
type OutputLimit struct {
	Hard, Soft, SoftSeconds int64
}

// SetOutputBufferLimit takes client-output-buffer-limit as CONFIG keeps it:
// "normal <hard> <soft> <seconds> slave ... pubsub ...", in bytes, already
// validated. Only the normal class applies to sluice's clients.
func (s *Server) SetOutputBufferLimit(v string) error {
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		if f[i] != "normal" {
			continue
		}
		var n [3]int64
		for j := range n {
			var err error
			if n[j], err = strconv.ParseInt(f[i+1+j], 10, 64); err != nil || n[j] < 0 {
				return fmt.Errorf("resp: client-output-buffer-limit %q: bad number %q", v, f[i+1+j])
			}
		}
		s.outLimit.Store(&OutputLimit{Hard: n[0], Soft: n[1], SoftSeconds: n[2]})
		return nil
	}
	return fmt.Errorf("resp: client-output-buffer-limit %q has no normal class", v)
}

// overOutputLimit reports whether a client holding omem bytes of unsent
// output is over its limit now, as Redis's checkClientOutputBufferLimits:
// at the hard limit, or past the soft one for more than SoftSeconds (the
// time it went past is kept in the client). The connection's goroutine
// asks after each command, the housekeeping goroutine every second while
// a client's output waits to be sent.
func (c *client) overOutputLimit(omem int64) bool {
	lim := c.srv.outLimit.Load()
	if lim.Hard > 0 && omem >= lim.Hard {
		return true
	}
	if lim.Soft == 0 || omem < lim.Soft {
		if c.softSince.Load() != 0 {
			c.softSince.Store(0)
		}
		return false
	}
	now := time.Now().UnixMilli()
	since := c.softSince.Load()
	if since == 0 {
		c.softSince.CompareAndSwap(0, now)
		return false
	}
	return lim.SoftSeconds <= math.MaxInt64/1000 && now-since > lim.SoftSeconds*1000
}

// closeForOutput disconnects a client over its output limit, as Redis
// does: logged with the client's CLIENT LIST line and counted in INFO's
// client_output_buffer_limit_disconnections. Its unsent replies are
// dropped. Safe from any goroutine.
func (c *client) closeForOutput(omem int64) {
	if c.closingForOutput.Swap(true) {
		return
	}
	c.srv.outputLimitDisconnects.Add(1)
	c.srv.log.Warn("client closed for overcoming of output buffer limits",
		"client", c.infoLine(time.Now()), "omem", omem)
	c.stop()
}
