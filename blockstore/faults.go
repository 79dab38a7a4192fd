package blockstore

// Faults makes the writer's file operations fail the way a full or failing
// disk does, for tests, as wal.Faults does for the log. A nil Faults or
// hook runs the operation as is; production code leaves Options.Faults nil.
type Faults struct {
	Write func(write func() error) error // each write of the buffer
	Sync  func(sync func() error) error  // each fsync of a file or the directory
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
