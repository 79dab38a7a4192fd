package snapshot

import (
	"sluice/groups"
	"sluice/streams"
)

// State is the keyspace exactly as it stood after log record LSN. The
// streams and groups it holds are frozen copy-on-write clones, so it can be
// written out while the live keyspace keeps changing.
type State struct {
	LSN    uint64
	Time   int64 // unix ms of the capture
	Config []Param
	Keys   []Key
	// BlockPin is not stored: block files numbered from it on may hold
	// blocks that went cold after the capture, so only older files that
	// no kept snapshot references may be deleted (see Refs).
	BlockPin uint32
}

// Refs counts, per block file, the data bytes of the cold blocks a
// snapshot references: a file it does not name holds nothing it needs.
type Refs map[uint32]int64

// Param is a configuration value that changes how data is laid out or
// behaves (stream-node-max-*), restored with the data it shaped.
type Param struct{ Name, Value string }

// Key is one key; exactly one of String and Stream is set.
type Key struct {
	DB     int
	Name   string
	Expire int64 // unix ms; 0 means none
	String []byte
	Stream *Stream
}

// Stream is a stream value: its entries, its consumer groups in name order
// and its idempotent-producer memory (nil when XADD IDMP was never used).
type Stream struct {
	*streams.Stream
	Groups    []*groups.Group
	IDMP      *IDMP
	Retention Retention
}

// Retention is a stream's own limits (XCFGSET MAXAGE...); zero is none.
type Retention struct {
	MaxAge           int64
	MaxLen, MaxBytes uint64
	Discard          byte
}

// IDMP is a stream's XADD IDMP state: settings, counters, and per producer
// the remembered idempotent IDs oldest first.
type IDMP struct {
	Duration          int64 // seconds
	MaxSize           int
	SweepAt           int
	Added, Duplicates int64
	Producers         []Producer
}

// Producer is one producer's remembered idempotent IDs, oldest first.
type Producer struct {
	PID  string
	IIDs []IID
}

// IID is one idempotent ID: when it was added (unix ms) and the entry it
// added.
type IID struct {
	IID string
	At  int64
	ID  streams.ID
}
