package broker

import (
	"fmt"
	"net"
	"strconv"

	"sluice/internal/redcon"
	"sluice/wal"
)

// addConfig gives CONFIG the parameters whose values live in the broker:
// appendfsync and requirepass can change while running, dir cannot.
func (b *Broker) addConfig(absDir string) {
	b.eng.ConfigParam("dir", absDir, nil)
	b.eng.ConfigParam("appendfsync", b.cfg.Fsync.String(), func(v string) error {
		p, err := wal.ParsePolicy(v)
		if err != nil {
			return err
		}
		return b.wal.SetPolicy(p)
	})
	b.pass.Store(&b.cfg.RequirePass)
	b.eng.ConfigParam("requirepass", b.cfg.RequirePass, func(v string) error {
		b.pass.Store(&v)
		return nil
	})
}

// requirePass is the password in force, for the protocol layer.
func (b *Broker) requirePass() string { return *b.pass.Load() }

// addPort shows the listening port in CONFIG GET port.
func (b *Broker) addPort(ln net.Listener) {
	if _, port, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		b.eng.ConfigParam("port", port, nil)
	}
}

// addLimits lets CONFIG SET change the request limits the protocol server
// enforces; the engine has already checked and normalized the value.
func (b *Broker) addLimits() {
	limit := func(name string, value int64, set func(int64)) {
		b.eng.ConfigParam(name, strconv.FormatInt(value, 10), func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("broker: %s %q: %w", name, v, err)
			}
			set(n)
			return nil
		})
	}
	limit("proto-max-bulk-len", redcon.DefaultMaxBulkLen, b.srv.SetProtoMaxBulkLen)
	limit("client-query-buffer-limit", redcon.DefaultMaxQueryBuffer, b.srv.SetQueryBufferLimit)
}
