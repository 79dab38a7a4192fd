package kernel

// Reply receives a command's reply as Redis's addReply* functions build it.
// The protocol layer renders it as RESP2 or RESP3; the engine never sees
// bytes on the wire. Replay of the log passes a Reply that discards all.
type Reply interface {
	Array(n int)
	Map(n int) // RESP3 map; RESP2 flat array of 2n
	Set(n int) // RESP3 set; RESP2 array
	Bulk(b []byte)
	BulkString(s string)
	Status(s string)
	Error(s string) // the whole text, code first: "ERR ...", "WRONGTYPE ..."
	Int(n int64)
	Double(f float64)
	Null()      // RESP2 null bulk, RESP3 null
	NullArray() // RESP2 null array, RESP3 null
	Verbatim(format, s string)
	// DeferArray starts an array whose length is known only at the end;
	// SetArray gives it. Deferred arrays are set innermost first.
	DeferArray() int
	SetArray(mark, n int)
	// SetMap makes the deferred aggregate a RESP3 map of n pairs, or in
	// RESP2 an array of n elements (XREAD's array of [key, entries]).
	SetMap(mark, n int)
	// Truncate drops all written since mark (from DeferArray): a part of
	// the reply given up, such as a stream with nothing to send after all.
	Truncate(mark int)
	// Resp3 tells whether the client speaks RESP3, for the few replies
	// whose shapes differ beyond what Map and Set express.
	Resp3() bool
}

// Discard is a Reply that drops everything (log replay).
type Discard struct{}

func (Discard) Array(int)               {}
func (Discard) Map(int)                 {}
func (Discard) Set(int)                 {}
func (Discard) Bulk([]byte)             {}
func (Discard) BulkString(string)       {}
func (Discard) Status(string)           {}
func (Discard) Error(string)            {}
func (Discard) Int(int64)               {}
func (Discard) Double(float64)          {}
func (Discard) Null()                   {}
func (Discard) NullArray()              {}
func (Discard) Verbatim(string, string) {}
func (Discard) DeferArray() int         { return 0 }
func (Discard) SetArray(int, int)       {}
func (Discard) SetMap(int, int)         {}
func (Discard) Truncate(int)            {}
func (Discard) Resp3() bool             { return false }
