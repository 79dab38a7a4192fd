package groups

// Traffic counts what the group handed out and got back since the process
// started: figures for metrics, not state. They are neither logged nor kept
// in snapshots, so they start from 0 at every start, and the engine counts
// them only for commands, never for replay (a replayed delivery happened
// before this process). Prometheus treats a counter that goes back to 0 as
// a restart, which is what it is.
type Traffic struct {
	// Delivered counts entries handed to a consumer: new ones by
	// XREADGROUP ">" (NOACK ones too) and pending ones again (a
	// consumer reading its own history, ACKWAIT or CLAIM redelivery,
	// XCLAIM, XAUTOCLAIM).
	Delivered int64
	// Acked counts entries taken out of the PEL by an ack: XACK, XACKDEL,
	// and pending entries dropped because they left the stream. Dead
	// letters are counted by DeadLettered instead.
	Acked int64
}

// Traffic returns the group's counters.
func (g *Group) Traffic() Traffic { return g.traffic }

// CountDelivered adds n to Traffic().Delivered.
func (g *Group) CountDelivered(n int) { g.traffic.Delivered += int64(n) }

// CountAcked adds n to Traffic().Acked.
func (g *Group) CountAcked(n int64) { g.traffic.Acked += n }
