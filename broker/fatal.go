package broker

// fatal is the engine's OnFatal: a command panicked after changing
// state, so the state in memory may be inconsistent. The broker stops
// serving (Serve returns the error) and Close writes no snapshot of that
// state: the log holds every acknowledged change, and the next start
// recovers from it.
func (b *Broker) fatal(err error) {
	b.log.Error("internal error: stopping without a snapshot; the next start recovers from the log", "err", err)
	b.srv.Close()
}
