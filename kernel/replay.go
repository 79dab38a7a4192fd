package kernel

import (
	"errors"
	"fmt"

	"sluice/groups"
	"sluice/streams"
)

// replayOps applies each op read back from the log.
var replayOps = [256]func(e *Engine, d *decoder, t *target) error{
	opStreamNew: replayStreamNew, opAdd: replayAdd, opTrim: replayTrim, opDelete: replayDelete,
	opSetMeta: replaySetMeta, opIDMPConfig: replayIDMPConfig, opIDMPRecord: replayIDMPRecord, opIDMPDup: replayIDMPDup,
	opGroupNew: replayGroupNew, opGroupSetID: replayGroupSetID, opGroupDel: replayGroupDel,
	opConsumerNew: replayConsumerNew, opConsumerDel: replayConsumerDel, opSeen: replaySeen,
	opDeliver: replayDeliver, opPlace: replayPlace, opAck: replayGroupIDs(applyAck), opUnown: replayUnown,
	opGroupRaiseID: replayGroupRaiseID, opRetention: replayRetention, opGroupConfig: replayGroupConfig,
	opDeadLettered: replayGroupIDs(applyDeadLettered), opDeadLetterFail: replayDeadLetterFail,
	opOrderBy: replayOrderBy, opHold: replayHold, opUnhold: replayGroupIDs(applyUnhold),
	opDel: replayDel, opExpire: replayExpire, opPersist: replayPersist, opSetString: replaySetString,
	opRename: replayRename, opCopy: replayCopy, opFlushDB: replayFlushDB, opFlushAll: replayFlushAll,
	opSwapDB: replaySwapDB, opConfig: replayConfig,
}

// replayGroupIDs replays an op that names a group and lists IDs, applying
// apply to them (acks, dead letters, entries no longer held).
func replayGroupIDs(apply func(*groups.Group, []streams.ID)) func(*Engine, *decoder, *target) error {
	return func(e *Engine, d *decoder, t *target) error {
		name := d.bytes()
		ids := readIDs(e, d)
		if d.err != nil {
			return d.err
		}
		_, g, err := groupOf(e, t, name)
		if err != nil {
			return err
		}
		apply(g, ids)
		return nil
	}
}

// applyAck removes acked entries from g's PEL.
func applyAck(g *groups.Group, ids []streams.ID) {
	for _, id := range ids {
		g.Ack(id)
	}
}

// ErrOldFormat is returned for a log record in format 1.
var ErrOldFormat = errors.New("record in log format 1 (commands as sent, written by sluice before the effect log); " +
	"this version replays format 2 only: start the previous version on this data directory and stop it " +
	"cleanly (SIGTERM), which writes a snapshot covering the whole log, then start this version")

// Replay applies one record read back from the log. It runs no command:
// it applies the effects the record holds.
func (e *Engine) Replay(lsn uint64, typ byte, body []byte) (err error) {
	switch typ {
	case RecEffects:
	case RecCommands:
		return fmt.Errorf("kernel: record %d: %w", lsn, ErrOldFormat)
	default:
		return fmt.Errorf("kernel: record %d: unknown record type %d", lsn, typ)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	defer func() {
		// A cold block the record needs cannot be read: the start fails
		// naming its file, rather than the process.
		if r := recover(); r != nil {
			re, ok := r.(*streams.ReadError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("kernel: record %d: %w", lsn, re)
		}
	}()
	d, t := &e.replayDec, &e.replayTarget
	*d, *t = decoder{b: body}, target{}
	defer func() { *d, *t = decoder{}, target{} }() // they point into body
	// The loop's many returns live in apply: with them here, the defers
	// would not be open-coded and would cost every record.
	return e.apply(lsn, d, t)
}

// apply applies the effects of record lsn, decoded by d.
func (e *Engine) apply(lsn uint64, d *decoder, t *target) error {
	e.now = d.v()
	for d.err == nil && len(d.b) > 0 {
		op := d.byte()
		if op == opKey {
			db, key := d.uv(), d.bytes()
			if db >= uint64(len(e.dbs)) {
				return fmt.Errorf("kernel: record %d: database %d out of range", lsn, db)
			}
			*t = target{db: int(db), key: key, isSet: true}
			continue
		}
		fn := replayOps[op]
		if fn == nil {
			return fmt.Errorf("kernel: record %d: unknown op 0x%02x", lsn, op)
		}
		if err := fn(e, d, t); err != nil {
			return fmt.Errorf("kernel: record %d: op 0x%02x on key %q: %w", lsn, op, t.key, err)
		}
	}
	if d.err != nil {
		return fmt.Errorf("kernel: record %d: %w", lsn, d.err)
	}
	e.lastLSN = lsn
	e.ready = e.ready[:0] // nobody waits during replay
	if e.tier.sync {
		e.coolNow()
	}
	return nil
}
