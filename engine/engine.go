// Package engine owns the keyspace: the databases, the command table and the
// execution of commands under one lock, blocked readers, and the order in
// which changes reach the write-ahead log. It knows nothing of sockets.
package engine

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"sluice/streams"
)

// Log is where the engine sends each change, in apply order; *wal.Log
// implements it. Append must not block, and must keep every record it takes
// until it is written, failure or not. Err is why the log refuses writes
// (nil while it takes them): the engine then refuses write commands.
type Log interface {
	Append(typ byte, body []byte) (uint64, error)
	Err() error
}

// Options configure an engine.
type Options struct {
	Databases int
	Logger    *slog.Logger
	// Clock returns the time in unix milliseconds; nil means the wall clock.
	Clock func() int64
	// OnFatal is told, on a goroutine of its own, that a command panicked
	// and may have left state half changed: the engine has stopped (see
	// Fatal), and the embedder should shut down without a snapshot.
	OnFatal func(error)
	// BeforeCommand, when set, is called under the lock with the name of
	// each command about to run: a seam for tests that inject faults.
	BeforeCommand func(name string)
}

// Engine is the keyspace and its command executor.
type Engine struct {
	mu     sync.Mutex
	dbs    []*DB
	cfg    *config
	log    Log
	logger *slog.Logger
	clock  func() int64
	// wallClock: clock is time.Now, so a command's start time serves as its
	// clock too (time.Now is not free on every machine).
	wallClock bool

	now       int64 // time of the running command, as Redis's commandTimeSnapshot
	dirty     int64 // changes since the last snapshot
	changes   int64 // changes ever; never lowered, unlike dirty (SAVE)
	lastLSN   uint64
	replaying bool
	logBuf    []byte
	ctx       Ctx      // the running command's context, reused under the lock
	idBuf     [48]byte // scratch for formatting IDs into replies
	logArgs   [][]byte // scratch for a resolved command (Ctx.LogAs)
	logNum    []byte

	stats     stats
	generic   genState
	saverImpl Saver // SAVE, BGSAVE and LASTSAVE go to it
	started   time.Time
	nextCID   int64
	blocked   int

	fatal         atomic.Pointer[error] // what stopped the engine (fatal.go)
	inHandler     bool                  // a command's handler is running
	onFatal       func(error)
	beforeCommand func(name string)
}

// New returns an empty engine.
func New(opts Options) *Engine {
	if opts.Databases <= 0 {
		opts.Databases = 16
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	e := &Engine{logger: opts.Logger, clock: opts.Clock, cfg: newConfig(), started: time.Now(),
		onFatal: opts.OnFatal, beforeCommand: opts.BeforeCommand}
	if e.clock == nil {
		e.clock = func() int64 { return time.Now().UnixMilli() }
		e.wallClock = true
	}
	e.dbs = make([]*DB, opts.Databases)
	for i := range e.dbs {
		e.dbs[i] = newDB()
	}
	e.stats.init()
	e.generic.infoSections = map[string][]func(func(string, string)){}
	addGenericParams(e.cfg, len(e.dbs))
	return e
}

// SetLog attaches the write-ahead log; changes from then on are appended.
func (e *Engine) SetLog(l Log) {
	e.mu.Lock()
	e.log = l
	e.mu.Unlock()
}

// Databases is the number of databases.
func (e *Engine) Databases() int { return len(e.dbs) }

// limits are the current block limits for streams.
func (e *Engine) limits() streams.Limits {
	return streams.Limits{MaxBytes: int(e.cfg.int("stream-node-max-bytes")), MaxEntries: int(e.cfg.int("stream-node-max-entries"))}
}

// NewClient returns the engine state for a new connection.
func (e *Engine) NewClient() *Client {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextCID++
	return &Client{ID: e.nextCID}
}

// commandTime returns the time a command starting at start runs at.
func (e *Engine) commandTime(start time.Time) int64 {
	if e.wallClock {
		return start.UnixMilli()
	}
	return e.clock()
}
