package wal

import (
	"errors"
	"io/fs"
)

// Faults makes the log's file operations fail the way a full or failing disk
// does, for tests. Each hook receives the real operation and either calls it
// or returns an error of its own (or both: write, then report an error). A
// nil Faults or hook runs the operation as is; production code leaves
// Options.Faults nil.
type Faults struct {
	// Write wraps each batch write to the tail segment.
	Write func(write func() error) error
	// Sync wraps each fsync of a segment file: the committer's, the
	// background one under everysec, and those of a recovery.
	Sync func(sync func() error) error
}

func (f *Faults) write(op func() error) error {
	if f == nil || f.Write == nil {
		return op()
	}
	return f.Write(op)
}

func (f *Faults) sync(op func() error) error {
	if f == nil || f.Sync == nil {
		return op()
	}
	return f.Sync(op)
}

// fsyncError marks a failed fsync. Unlike a failed write it may have lost
// what earlier writes put in the page cache, which decides how the log
// recovers (see recover.go).
type fsyncError struct{ err error }

func (e *fsyncError) Error() string { return e.err.Error() }
func (e *fsyncError) Unwrap() error { return e.err }

// isFsync reports whether err is a failed fsync: ours, or one tidwall/wal
// ran while rolling a segment inside a batch write.
func isFsync(err error) bool {
	var fe *fsyncError
	var pe *fs.PathError
	return errors.As(err, &fe) || (errors.As(err, &pe) && pe.Op == "sync")
}
