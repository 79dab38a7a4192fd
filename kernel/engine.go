// Package kernel is sluice's engine: the keyspace, the execution of
// commands under one lock, blocked readers, and the log of effects.
//
// A command handler (package commands) reads the keyspace freely and
// decides; every change it makes goes through an effect method of Ctx
// (fx_*.go), which applies the change and encodes it, with every value
// decided (IDs, exact trims, delivery times and counts), into the
// command's log record. Replay decodes those records and applies the same
// effects; it never runs a handler, so an old log means what it meant when
// it was written. The kernel knows nothing of sockets, of the Redis command
// surface (COMMAND, INFO, CONFIG) or of how the log is stored.
package kernel

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"sluice/blockstore"
	"sluice/streams"
)

// Log is where the engine sends each record, in apply order; *wal.Log
// implements it. Append must not block, and must keep every record it takes
// until it is written, failure or not: the change is already applied. Err
// is why the log refuses writes (nil while it takes them): the engine then
// refuses write commands.
type Log interface {
	Append(typ byte, body []byte) (uint64, error)
	Err() error
}

// Options configure an engine.
type Options struct {
	Databases int
	Commands  *Table
	// Params are the CONFIG parameters beyond the kernel's own; each
	// engine needs its own values.
	Params []*Param
	Logger *slog.Logger
	// Clock returns the time in unix milliseconds; nil means the wall clock.
	Clock func() int64
	// OnFatal is called (once, without the lock) when a command panicked
	// half-way through a change: the keyspace may no longer match the log,
	// so the embedder must stop serving without snapshotting it.
	OnFatal func(error)
	// BeforeCommand, when set, is called under the lock with the full name
	// of each command about to run: a seam for tests that inject faults.
	BeforeCommand func(name string)
	// Blocks is where sealed stream blocks go cold (see tier.go); nil
	// keeps every block in memory. Its writer reports to BlocksWritten.
	Blocks *blockstore.Store
	// ColdSync makes the blocks a command seals cold before its reply,
	// so that tests see every sealed block cold.
	ColdSync bool
}

// Engine is the keyspace and its command executor.
type Engine struct {
	mu     sync.Mutex
	dbs    []*DB
	table  *Table
	cfg    *Config
	log    Log
	logger *slog.Logger
	clock  func() int64
	// wallClock: clock is time.Now, so a command's start time serves as its
	// clock too (time.Now is not free on every machine).
	wallClock bool
	opts      Options

	now     int64  // time of the running command, as Redis's commandTimeSnapshot
	dirty   int64  // changes since the last snapshot (rdb_changes_since_last_save)
	lastLSN uint64 // the last record handed to the log
	rec     record // the record the running command is building
	ctx     Ctx    // the running command's context, reused under the lock
	ready   []readyKey
	// readyPending says ready is not empty, for ServeReady to check
	// without the lock.
	readyPending atomic.Bool
	fatal        atomic.Pointer[error] // set when a panic may have left the keyspace half-changed

	stats   stats
	tier    tier
	hooks   map[string]func(string) error // CONFIG SET hooks of the embedder
	applies []configApply                 // and its apply functions (config.go)
	info    map[string][]func(add func(key, value string))
	expiry  expiry
	saver   Saver // SAVE, BGSAVE and LASTSAVE go to it
	started time.Time
	nextCID int64
	blocked int
	aged    map[agedKey]struct{} // streams with a MAXAGE, for the sweep
	// usedMemory is the last sample of the memory in use (memory.go).
	usedMemory atomic.Int64
	// Scratch reused under the lock so the hot path does not allocate.
	idBuf     [48]byte
	idScratch []streams.ID
	fvScratch [][]byte
	// Replay's decoder and target: handed to the ops through replayOps,
	// they would otherwise move to the heap for every record.
	replayDec    decoder
	replayTarget target
	replayLast   lastKey
}

// New returns an empty engine.
func New(opts Options) *Engine {
	if opts.Databases <= 0 {
		opts.Databases = 16
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Commands == nil {
		opts.Commands = &Table{}
	}
	e := &Engine{logger: opts.Logger, clock: opts.Clock, table: opts.Commands, opts: opts,
		cfg: newConfig(opts.Databases), started: time.Now(),
		hooks: map[string]func(string) error{}, info: map[string][]func(func(string, string)){}}
	if e.clock == nil {
		e.clock = func() int64 { return time.Now().UnixMilli() }
		e.wallClock = true
	}
	for _, p := range opts.Params {
		e.cfg.Define(p)
	}
	e.tier = tier{store: opts.Blocks, sync: opts.ColdSync && opts.Blocks != nil}
	e.dbs = make([]*DB, opts.Databases)
	for i := range e.dbs {
		e.dbs[i] = newDB()
	}
	e.stats.init(e.table)
	return e
}

// SetLog attaches the write-ahead log; changes from then on are appended.
func (e *Engine) SetLog(l Log) {
	e.mu.Lock()
	e.log = l
	e.replayLast = lastKey{} // replay is over: keep no value alive
	e.mu.Unlock()
}

// Commands is the command table.
func (e *Engine) Commands() *Table { return e.table }

// NumDBs is the number of databases.
func (e *Engine) NumDBs() int { return len(e.dbs) }

// limits are the current block limits for streams.
func (e *Engine) limits() streams.Limits { return e.cfg.limits }

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

// Started is when the engine was made.
func (e *Engine) Started() time.Time { return e.started }

// Clock is the engine's time in unix ms.
func (e *Engine) Clock() int64 { return e.clock() }

// Locked runs fn under the engine lock with a context for the given
// client (nil: a detached one), for embedders that read the keyspace (INFO
// providers, metrics). fn must not change anything.
func (e *Engine) Locked(fn func(c *Ctx)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := &Ctx{e: e, cl: &Client{}, db: e.dbs[0], W: Discard{}, Now: e.clock()}
	fn(c)
}

// RedisVersion is the Redis release whose behaviour sluice follows; INFO
// and HELLO report it.
const RedisVersion = "8.10.0"
