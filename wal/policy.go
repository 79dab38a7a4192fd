package wal

import (
	"fmt"
	"strings"
)

// Policy is when the committer fsyncs, named after Redis's appendfsync.
type Policy int

const (
	// Always fsyncs every batch before Wait returns.
	Always Policy = iota
	// EverySec fsyncs once a second; Wait returns once the batch is written.
	EverySec
	// No leaves flushing to the kernel (fsync only on segment roll and Close).
	No
)

// ParsePolicy parses an appendfsync value; like Redis it ignores case.
func ParsePolicy(s string) (Policy, error) {
	for p := Always; p <= No; p++ {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("invalid appendfsync %q", s)
}

func (p Policy) String() string {
	switch p {
	case Always:
		return "always"
	case EverySec:
		return "everysec"
	case No:
		return "no"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}
