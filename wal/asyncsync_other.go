//go:build !linux || !(amd64 || arm64)

package wal

import (
	"errors"
	"os"
)

// asyncSync exists on Linux on amd64 and arm64 only (asyncsync_linux.go);
// elsewhere the committer fsyncs the plain way.
type asyncSync struct{}

var errNotSubmitted = errors.New("wal: AIO fsync not submitted")

func takeAsyncSync() (*asyncSync, error) {
	return nil, errors.New("wal: AIO fsync is not built for this platform")
}

func (a *asyncSync) sync(f *os.File) error { return errNotSubmitted }

func (a *asyncSync) release() {}

func (a *asyncSync) destroy() {}
