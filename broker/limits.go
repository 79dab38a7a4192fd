package broker

import (
	"fmt"
	"strconv"

	"sluice/internal/redcon"
	"sluice/resp"
)

// addLimits gives the protocol server its limits and lets CONFIG SET
// change them; the engine has already checked and normalized each value.
// outLimit is client-output-buffer-limit, validated.
func (b *Broker) addLimits(outLimit string) {
	number := func(name string, value int64, set func(int64) error) {
		b.eng.ConfigParam(name, strconv.FormatInt(value, 10), func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("broker: %s %q: %w", name, v, err)
			}
			return set(n)
		})
	}
	infallible := func(set func(int64)) func(int64) error {
		return func(n int64) error { set(n); return nil }
	}
	number("proto-max-bulk-len", redcon.DefaultMaxBulkLen, infallible(b.srv.SetProtoMaxBulkLen))
	number("client-query-buffer-limit", redcon.DefaultMaxQueryBuffer, infallible(b.srv.SetQueryBufferLimit))

	maxClients := b.cfg.MaxClients
	if maxClients == 0 {
		maxClients = resp.DefaultMaxClients
	}
	if n := resp.MaxClientsAtStart(maxClients); n < maxClients {
		// Redis's adjustOpenFilesLimit: serve fewer clients rather than
		// fail to accept with no descriptor left for the log.
		b.log.Warn("maxclients reduced to what the open file limit allows; raise 'ulimit -n' for more",
			"requested", maxClients, "maxclients", n)
		maxClients = n
	}
	b.srv.SetMaxClients(maxClients) // within what the file limit allows
	number("maxclients", maxClients, b.srv.SetMaxClients)

	b.srv.SetTimeout(b.cfg.Timeout)
	number("timeout", b.cfg.Timeout, infallible(b.srv.SetTimeout))

	b.srv.SetOutputBufferLimit(outLimit)
	b.eng.ConfigParam("client-output-buffer-limit", outLimit, b.srv.SetOutputBufferLimit)
}
