package kernel

import (
	"runtime/metrics"
)

// The engine samples the memory it uses every 100 ms (with the expiry
// cycle) rather than per command: reading the runtime's statistics costs
// more than a command. maxmemory is checked against the last sample, as
// Redis checks its allocator's counter.

// memorySample is the runtime metric used_memory reports: the bytes of
// heap objects, live or not yet swept (Go's closest to the allocator's
// used bytes Redis reports; cold stream blocks on disk are not counted).
var memorySample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

// sampleMemory records the memory in use. It runs on the expiry goroutine.
func (e *Engine) sampleMemory() {
	metrics.Read(memorySample)
	if memorySample[0].Value.Kind() == metrics.KindUint64 {
		e.usedMemory.Store(int64(memorySample[0].Value.Uint64()))
	}
}

// UsedMemory is the last sample of the memory in use (INFO used_memory).
func (e *Engine) UsedMemory() int64 { return e.usedMemory.Load() }

// oomDenied is the error a command that may add data gets while the
// memory in use is past maxmemory (policy noeviction: sluice never evicts),
// "" otherwise. Reads, acks, deletes and trims go on, so consumers can
// drain. Under the lock.
func (e *Engine) oomDenied(cmd *Command) string {
	if !cmd.Has(DenyOOM) {
		return ""
	}
	if limit := e.cfg.maxMemory; limit > 0 && e.usedMemory.Load() > limit {
		return "OOM command not allowed when used memory > 'maxmemory'."
	}
	return ""
}
