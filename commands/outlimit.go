package commands

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"sluice/kernel"
)

// DefaultOutputBufferLimit is Redis's client-output-buffer-limit, as
// CONFIG GET shows it. The protocol layer enforces the normal class;
// sluice has no replicas or pub/sub clients for the others.
const DefaultOutputBufferLimit = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

// OutputBufferLimit returns Redis's default client-output-buffer-limit
// with the classes v names changed (v may be empty), as CONFIG GET shows it.
func OutputBufferLimit(v string) (string, error) {
	return updateOutputBufferLimit(DefaultOutputBufferLimit, v)
}

// outputClasses are the classes in the order Redis shows them.
var outputClasses = []string{"normal", "slave", "pubsub"}

// updateOutputBufferLimit applies "class hard soft seconds ..." to the
// current value, as Redis's CONFIG SET client-output-buffer-limit: the
// classes named change, the others keep their limits; the whole value is
// refused if any part is wrong.
func updateOutputBufferLimit(current, v string) (string, error) {
	limits := map[string][3]string{}
	cur := strings.Fields(current)
	for i := 0; i+3 < len(cur); i += 4 {
		limits[cur[i]] = [3]string{cur[i+1], cur[i+2], cur[i+3]}
	}
	f := strings.Fields(v)
	if len(f)%4 != 0 {
		return "", errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	memory := kernel.CheckMemoryBetween(0, math.MaxInt64)
	for i := 0; i < len(f); i += 4 {
		class := strings.ToLower(f[i])
		switch class {
		case "replica":
			class = "slave"
		case "normal", "slave", "pubsub":
		default:
			return "", errors.New("Invalid client class specified in buffer limit configuration.")
		}
		var l [3]string
		for j := range l {
			n, err := memory(f[i+1+j])
			if err != nil {
				return "", errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
			}
			l[j] = n
		}
		l[2] = leadingInt(f[i+3]) // seconds, read as Redis's strtoll reads them
		limits[class] = l
	}
	var b strings.Builder
	for _, class := range outputClasses {
		l := limits[class]
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(class + " " + l[0] + " " + l[1] + " " + l[2])
	}
	return b.String(), nil
}

// leadingInt is the number its leading digits make, as strtoll reads it
// (saturated).
func leadingInt(s string) string {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		n = math.MaxInt64
	}
	return strconv.FormatInt(n, 10)
}
