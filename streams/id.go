// Package streams holds the Redis stream data structure: entry IDs, packed
// entry blocks under an ordered index, trimming and deletion. It knows nothing
// of sockets, disks or consumer groups.
package streams

import (
	"errors"
	"math"
	"strconv"
)

// ID is a stream entry ID: milliseconds and a sequence number.
type ID struct {
	Ms  uint64
	Seq uint64
}

// MinID and MaxID bound every valid ID.
var (
	MinID = ID{0, 0}
	MaxID = ID{math.MaxUint64, math.MaxUint64}
)

// Error texts exactly as Redis sends them.
var (
	ErrInvalidID = errors.New("ERR Invalid stream ID specified as stream command argument")
)

// Less orders IDs.
func (a ID) Less(b ID) bool {
	return a.Ms < b.Ms || (a.Ms == b.Ms && a.Seq < b.Seq)
}

// Compare returns -1, 0 or +1.
func (a ID) Compare(b ID) int {
	switch {
	case a.Ms < b.Ms:
		return -1
	case a.Ms > b.Ms:
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// IsZero reports whether the ID is 0-0.
func (a ID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Next returns the smallest ID greater than a; ok is false at MaxID.
func (a ID) Next() (ID, bool) {
	if a.Seq == math.MaxUint64 {
		if a.Ms == math.MaxUint64 {
			return a, false
		}
		return ID{a.Ms + 1, 0}, true
	}
	return ID{a.Ms, a.Seq + 1}, true
}

// Prev returns the largest ID smaller than a; ok is false at 0-0.
func (a ID) Prev() (ID, bool) {
	if a.Seq == 0 {
		if a.Ms == 0 {
			return a, false
		}
		return ID{a.Ms - 1, math.MaxUint64}, true
	}
	return ID{a.Ms, a.Seq - 1}, true
}

// String formats the ID as "ms-seq".
func (a ID) String() string { return string(a.Append(nil)) }

// Append appends "ms-seq" to b.
func (a ID) Append(b []byte) []byte {
	b = strconv.AppendUint(b, a.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, a.Seq, 10)
}

// ParseID parses "ms" or "ms-seq". A missing sequence takes missingSeq, so a
// range start passes 0 and a range end passes MaxUint64.
func ParseID(s []byte, missingSeq uint64) (ID, error) {
	id, seqGiven, err := parseIDParts(s)
	if err != nil {
		return ID{}, err
	}
	if !seqGiven {
		id.Seq = missingSeq
	}
	return id, nil
}

// ParseStrictID parses a full "ms-seq" or "ms" ID as XADD, XCLAIM and XACK
// take it; "-" and "+" are not accepted.
func ParseStrictID(s []byte) (ID, error) {
	return ParseID(s, 0)
}

// ParseRangeID parses a range bound: "-" and "+" are MinID and MaxID, and a
// missing sequence is 0 for a start and MaxUint64 for an end.
func ParseRangeID(s []byte, isEnd bool) (ID, error) {
	if len(s) == 1 {
		switch s[0] {
		case '-':
			return MinID, nil
		case '+':
			return MaxID, nil
		}
	}
	if isEnd {
		return ParseID(s, math.MaxUint64)
	}
	return ParseID(s, 0)
}

// ParseAddID parses an XADD ID argument: "*", "ms-*", or an explicit ID.
// autoSeq reports "ms-*"; the caller treats auto with "*".
func ParseAddID(s []byte) (id ID, auto, autoSeq bool, err error) {
	if len(s) == 1 && s[0] == '*' {
		return ID{}, true, false, nil
	}
	if n := len(s); n > 2 && s[n-2] == '-' && s[n-1] == '*' {
		ms, err := parseUint(s[:n-2])
		if err != nil {
			return ID{}, false, false, ErrInvalidID
		}
		return ID{Ms: ms}, false, true, nil
	}
	id, err = ParseStrictID(s)
	return id, false, false, err
}

func parseIDParts(s []byte) (ID, bool, error) {
	if len(s) == 0 {
		return ID{}, false, ErrInvalidID
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			ms, err := parseUint(s[:i])
			if err != nil {
				return ID{}, false, ErrInvalidID
			}
			seq, err := parseUint(s[i+1:])
			if err != nil {
				return ID{}, false, ErrInvalidID
			}
			return ID{ms, seq}, true, nil
		}
	}
	ms, err := parseUint(s)
	if err != nil {
		return ID{}, false, ErrInvalidID
	}
	return ID{Ms: ms}, false, nil
}

// parseUint accepts what Redis's string2ull accepts: decimal digits only.
func parseUint(s []byte) (uint64, error) {
	if len(s) == 0 || len(s) > 20 {
		return 0, ErrInvalidID
	}
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, ErrInvalidID
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, ErrInvalidID
		}
		n = n*10 + d
	}
	return n, nil
}
