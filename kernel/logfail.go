package kernel

import (
	"errors"
	"strings"
	"syscall"
)

// While the log fails (a write or an fsync did), the engine is fail-stop for
// writes, as Redis is with a failing AOF: every command that would change
// data is refused before it runs, and reads, PING and INFO go on. The log
// keeps the records of changes applied before the failure was seen and
// writes them when it recovers; their replies wait for that.

// logErr is the log's failure, nil while it takes writes. Under the lock.
func (e *Engine) logErr() error {
	if e.log == nil {
		return e.blocksErr()
	}
	if err := e.log.Err(); err != nil {
		return err
	}
	return e.blocksErr()
}

// LogErr is why the log refuses writes, nil while it takes them (INFO).
func (c *Ctx) LogErr() error { return c.e.logErr() }

// writeDenied is the error a command gets instead of running while the log
// fails, "" when it may run: Redis's reply to a write command when the AOF
// cannot be written. Under the lock.
func (e *Engine) writeDenied(cmd *Command) string {
	if !cmd.Has(Write) {
		return ""
	}
	if err := e.logErr(); err != nil {
		return misconf(err)
	}
	return ""
}

// WriteDenied is the refusal a command gets before it runs (a write while
// the log fails, a command that adds data past maxmemory), for the
// protocol layer, which refuses it while queuing it in MULTI, as Redis does.
func (e *Engine) WriteDenied(cmd *Command) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if msg := e.writeDenied(cmd); msg != "" {
		return msg
	}
	return e.oomDenied(cmd)
}

// multiDenied is the error EXEC gets instead of running a transaction with a
// write command in it while the log fails, or one that adds data past
// maxmemory (Redis's execCommandAbort).
func (e *Engine) multiDenied(cmds []Queued) string {
	for _, q := range cmds {
		msg := e.writeDenied(q.Cmd)
		if msg == "" {
			msg = e.oomDenied(q.Cmd)
		}
		if msg != "" {
			return "EXECABORT Transaction discarded because of: " + msg
		}
	}
	return ""
}

// reject replies msg to a command that is not run, counting it as Redis
// counts a rejected call. Under the lock.
func (e *Engine) reject(cmd *Command, w Reply, msg string) {
	e.stats.cmds[cmd.id].Rejected++
	e.countError(msg)
	w.Error(msg)
}

// misconf is Redis's writeCommandsGetDiskErrorMessage for the AOF: the
// system's text for the errno (as strerror words it), or the whole error
// when there is none.
func misconf(err error) string {
	text := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		text = errno.Error()
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	return "MISCONF Errors writing to the AOF file: " + text
}

// replyLSN is the log position a command's reply waits for, given the last
// LSN before it ran: everything logged so far, so that no reply shows a
// change before the log holds it. While the log fails, a command that
// logged nothing waits for nothing, or reads would hang as long as the
// disk: its reply may then show one of the few changes applied just before
// the failure, whose records wait in memory for the recovery. Under the lock.
func (e *Engine) replyLSN(before uint64) uint64 {
	if e.lastLSN == before && e.logErr() != nil {
		return 0
	}
	return e.lastLSN
}
