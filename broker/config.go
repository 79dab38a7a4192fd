package broker

import (
	"net"

	"sluice/wal"
)

// addConfig gives CONFIG the parameters whose values live in the broker:
// appendfsync and the users' (users.go) can change while running, dir
// cannot.
func (b *Broker) addConfig(absDir string) {
	b.eng.ConfigParam("dir", absDir, nil)
	b.eng.ConfigParam("appendfsync", b.cfg.Fsync.String(), func(v string) error {
		p, err := wal.ParsePolicy(v)
		if err != nil {
			return err
		}
		return b.wal.SetPolicy(p)
	})
	b.addUserConfig()
}

// addPort shows a listener's port in CONFIG GET port or tls-port.
func (b *Broker) addPort(param string, ln net.Listener) {
	if _, port, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		b.eng.ConfigParam(param, port, nil)
	}
}
