package groups

// Settings are a group's broker options beyond Redis (XGROUP CONFIG); a
// zero value turns each off.
type Settings struct {
	// MaxDeliver is how many deliveries an entry gets: the one that would
	// come after dead-letters it instead.
	MaxDeliver int64
	// DeadLetter is the stream dead-lettered entries go to; empty means
	// "<key>:dlq" once MaxDeliver is set.
	DeadLetter string
	// AckWait is how long (ms) a delivered entry may stay unacked before
	// XREADGROUP ">" hands it out again.
	AckWait int64
}

// DeadLetterKey is the stream the group of key sends dead letters to: its
// DeadLetter, or "<key>:dlq" once MaxDeliver is set, "" when it
// dead-letters nothing.
func (s Settings) DeadLetterKey(key string) string {
	switch {
	case s.DeadLetter != "":
		return s.DeadLetter
	case s.MaxDeliver > 0:
		return key + ":dlq"
	}
	return ""
}

// Settings returns the group's broker options.
func (g *Group) Settings() Settings { return g.settings }

// SetSettings replaces the group's broker options.
func (g *Group) SetSettings(s Settings) { g.settings = s }

// DeadLettered counts the entries dead-lettered from this group.
func (g *Group) DeadLettered() int64 { return g.deadLettered }

// DeadLetterFailures counts the times an entry was due for dead-lettering
// but its dead-letter stream refused it (full), so it stayed pending.
func (g *Group) DeadLetterFailures() int64 { return g.dlqFailures }

// CountDeadLettered adds n to DeadLettered.
func (g *Group) CountDeadLettered(n int64) { g.deadLettered += n }

// CountDeadLetterFailure adds one to DeadLetterFailures.
func (g *Group) CountDeadLetterFailure() { g.dlqFailures++ }

// SetCounters restores the counters (snapshots).
func (g *Group) SetCounters(deadLettered, failures int64) {
	g.deadLettered, g.dlqFailures = deadLettered, failures
}
