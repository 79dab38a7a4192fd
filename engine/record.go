package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
)

// RecCommands is the record type of the log: commands as they changed the
// keyspace, with the command time, so replay needs no clock and reaches the
// same state. A transaction is one record, so it replays whole or not at
// all. Commands whose effect depends on more than time and state are logged
// in a resolved form (Ctx.LogAs).
const RecCommands byte = 1

type loggedCmd struct {
	db   int
	args [][]byte
}

type logBatch struct{ cmds []loggedCmd }

// appendLog encodes a record and hands it to the log, under the lock so
// that log order is apply order.
func (e *Engine) appendLog(now int64, cmds []loggedCmd) {
	if e.log == nil || e.replaying {
		return
	}
	b := e.logBuf[:0]
	b = binary.AppendUvarint(b, uint64(now))
	b = binary.AppendUvarint(b, uint64(len(cmds)))
	for _, c := range cmds {
		b = binary.AppendUvarint(b, uint64(c.db))
		b = binary.AppendUvarint(b, uint64(len(c.args)))
		for _, a := range c.args {
			b = binary.AppendUvarint(b, uint64(len(a)))
			b = append(b, a...)
		}
	}
	e.logBuf = b
	lsn, err := e.log.Append(RecCommands, b)
	if err != nil {
		// Only a closed log refuses a record, and it is closed after the
		// last command has run: this is a bug in the shutdown order.
		e.logger.Error("a change was applied after the write-ahead log closed; it is not logged", "err", err)
		return
	}
	e.lastLSN = lsn
}

var errBadRecord = errors.New("malformed record")

// Replay applies one record read back from the log.
func (e *Engine) Replay(lsn uint64, typ byte, body []byte) error {
	if typ != RecCommands {
		return fmt.Errorf("engine: record %d: unknown type %d", lsn, typ)
	}
	now, n := binary.Uvarint(body)
	if n <= 0 {
		return fmt.Errorf("engine: record %d: %w", lsn, errBadRecord)
	}
	body = body[n:]
	count, n := binary.Uvarint(body)
	if n <= 0 {
		return fmt.Errorf("engine: record %d: %w", lsn, errBadRecord)
	}
	body = body[n:]
	e.mu.Lock()
	defer e.mu.Unlock()
	e.replaying = true
	defer func() { e.replaying = false }()
	e.now = int64(now)
	cl := &Client{InExec: count > 1}
	for i := uint64(0); i < count; i++ {
		db, n := binary.Uvarint(body)
		if n <= 0 {
			return fmt.Errorf("engine: record %d: %w", lsn, errBadRecord)
		}
		body = body[n:]
		argc, n := binary.Uvarint(body)
		if n <= 0 || argc == 0 || argc > uint64(len(body)) {
			return fmt.Errorf("engine: record %d: %w", lsn, errBadRecord)
		}
		body = body[n:]
		args := make([][]byte, argc)
		for j := range args {
			l, n := binary.Uvarint(body)
			if n <= 0 || uint64(len(body)-n) < l {
				return fmt.Errorf("engine: record %d: %w", lsn, errBadRecord)
			}
			args[j] = body[n : n+int(l) : n+int(l)]
			body = body[n+int(l):]
		}
		cmd, msg := Check(args)
		if cmd == nil {
			return fmt.Errorf("engine: record %d: %s", lsn, msg)
		}
		if cmd.Run == nil { // a connection command (MULTI, AUTH...) is never logged
			return fmt.Errorf("engine: record %d: %s is not a logged command: %w", lsn, cmd.Name, errBadRecord)
		}
		cl.DB = int(db)
		var w replayReply
		e.run(cl, cmd, args, &w, nil)
		if w.err != "" {
			e.logger.Warn("replayed command failed", "lsn", lsn, "cmd", string(args[0]), "err", w.err, slog.Int("args", len(args)))
		}
	}
	e.lastLSN = lsn
	return nil
}

// replayReply discards a replayed command's reply but keeps its error.
type replayReply struct {
	Discard
	err string
}

func (r *replayReply) Error(s string) {
	if r.err == "" {
		r.err = s
	}
}
