package kernel

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

var errNotMemory = errors.New("argument must be a memory value")

// memoryUnits are the units Redis's memtoull knows, in any case.
var memoryUnits = map[string]uint64{"": 1, "b": 1, "k": 1000, "kb": 1 << 10, "m": 1000 * 1000, "mb": 1 << 20,
	"g": 1000 * 1000 * 1000, "gb": 1 << 30}

// parseMemory reads a memory amount as Redis's memtoull does: digits, then
// an optional unit. Too large a number saturates (strtoull's ERANGE), so
// that the range check refuses it.
func parseMemory(v string) (uint64, bool) {
	digits := 0
	for digits < len(v) && v[digits] >= '0' && v[digits] <= '9' {
		digits++
	}
	mul, ok := memoryUnits[strings.ToLower(v[digits:])]
	if !ok {
		return 0, false
	}
	var n uint64
	for i := 0; i < digits; i++ {
		d := uint64(v[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			return math.MaxUint64, true
		}
		n = n*10 + d
	}
	if n > math.MaxUint64/mul {
		return math.MaxUint64, true
	}
	return n * mul, true
}

// CheckMemoryBetween accepts a memory amount within [lo, hi] (lo >= 0)
// and normalizes it to bytes, which CONFIG GET then shows, as Redis does.
func CheckMemoryBetween(lo, hi int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, ok := parseMemory(v)
		if !ok {
			return "", errNotMemory
		}
		if n < uint64(lo) || n > uint64(hi) {
			return "", errors.New("argument must be between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10) + " inclusive")
		}
		return strconv.FormatUint(n, 10), nil
	}
}
