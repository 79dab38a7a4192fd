package redcon

import (
	"fmt"
	"strconv"
)

// Limits bound what one connection may send, as Redis bounds a client's
// query buffer. The server asks for them before each read, so a change
// (CONFIG SET, AUTH) applies from the next command on.
type Limits struct {
	// MaxBulkLen is the longest bulk argument (proto-max-bulk-len).
	MaxBulkLen int64
	// MaxQueryBuffer is the most input a connection may hold unprocessed,
	// the command being read included (client-query-buffer-limit).
	MaxQueryBuffer int64
	// Unauthenticated applies Redis's caps for a client that must still
	// authenticate: 10 arguments, 16 KB bulks. Such a client's buffer then
	// stays far below the 1 MB Redis also allows it, since its next
	// request is read only after this one ran.
	Unauthenticated bool
}

// Redis's defaults and fixed caps.
const (
	DefaultMaxBulkLen     = 512 << 20 // proto-max-bulk-len
	DefaultMaxQueryBuffer = 1 << 30   // client-query-buffer-limit
	// MaxMultibulkLen is the most arguments one request may announce.
	MaxMultibulkLen = 1 << 20
	// MaxInlineLen is the longest inline request line, and the longest
	// count line of a multibulk request (Redis's PROTO_INLINE_MAX_SIZE).
	MaxInlineLen = 64 << 10

	unauthMultibulkLen = 10
	unauthBulkLen      = 16 << 10
)

// DefaultLimits are Redis's defaults for an authenticated client.
var DefaultLimits = Limits{MaxBulkLen: DefaultMaxBulkLen, MaxQueryBuffer: DefaultMaxQueryBuffer}

// ProtocolError is a malformed request. The server replies
// "-ERR Protocol error: ..." and closes the connection, as Redis does.
type ProtocolError struct{ msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.msg }

// Redis's protocol errors, worded as networking.c words them.
var (
	errInvalidMultibulk = &ProtocolError{"invalid multibulk length"}
	errUnauthMultibulk  = &ProtocolError{"unauthenticated multibulk length"}
	errInvalidBulk      = &ProtocolError{"invalid bulk length"}
	errUnauthBulk       = &ProtocolError{"unauthenticated bulk length"}
	errBigInline        = &ProtocolError{"too big inline request"}
	errBigMultibulk     = &ProtocolError{"too big mbulk count string"}
	errBigBulkCount     = &ProtocolError{"too big bulk count string"}
	errUnbalanced       = &ProtocolError{"unbalanced quotes in request"}
)

func errExpectedDollar(got byte) error {
	return &ProtocolError{"expected '$', got '" + string([]byte{got}) + "'"}
}

// QueryBufferError reports a client whose unprocessed input passed its
// limit. Redis closes such a client without a reply and logs it.
type QueryBufferError struct {
	Size  int
	Limit int64
}

func (e *QueryBufferError) Error() string {
	return "query buffer of " + strconv.Itoa(e.Size) + " bytes passed the limit of " + strconv.FormatInt(e.Limit, 10)
}

// PanicError is a panic recovered on a connection's goroutine: that
// connection closes, the server goes on.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
