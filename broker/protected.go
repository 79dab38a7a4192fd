package broker

import "net"

// addProtectedMode gives the server its protected mode and CONFIG
// protected-mode.
func (b *Broker) addProtectedMode() {
	on := !b.cfg.ProtectedModeOff
	b.srv.SetProtectedMode(on)
	b.eng.ConfigParam("protected-mode", yesNo(on), func(v string) error {
		b.srv.SetProtectedMode(v == "yes")
		return nil
	})
}

// warnIfExposed warns at start when a listener reaches beyond the
// loopback interface while the default user has no password: protected
// mode will refuse those clients, or, with it off, let anyone in.
func (b *Broker) warnIfExposed(addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() || !b.acl.Users().Default().NoPass() {
		return
	}
	if b.srv.Unprotected() {
		b.log.Warn("listening beyond loopback with protected mode off and no password for the default user: anyone who reaches this port may run any command",
			"addr", addr.String())
		return
	}
	b.log.Warn("protected mode: the default user has no password, so clients from other hosts are refused with -DENIED; "+
		"set --requirepass or --aclfile, or --protected-mode no", "addr", addr.String())
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
