package wal

// Faults makes the log's file operations fail the way a full or failing disk
// does, for tests. Each hook receives the real operation and either calls it
// or returns an error of its own (or both: write, then report an error). A
// nil Faults or hook runs the operation as is; production code leaves
// Options.Faults nil.
type Faults struct {
	// Write wraps each batch write to the tail segment.
	Write func(write func() error) error
	// Sync wraps each fsync of a segment file (not of the directory): at
	// open, the committer's, a roll's, the background one under everysec,
	// and those of a recovery.
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

// fsyncError marks a failed fsync, which unlike a failed write may have lost
// what earlier writes put in the page cache. resync: it covered published
// records, or a directory entry, that cannot be written again from memory,
// so a recovery fsyncs every segment and the directory again (recover.go).
type fsyncError struct {
	err    error
	resync bool
}

func (e *fsyncError) Error() string { return e.err.Error() }
func (e *fsyncError) Unwrap() error { return e.err }
