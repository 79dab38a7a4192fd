package redcon

import (
	"bytes"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
)

// FuzzReader feeds arbitrary input to the reader whole and in random
// pieces. The reader must not panic, must keep to its limits, and must
// read the same requests and end with the same error either way.
func FuzzReader(f *testing.F) {
	for _, seed := range []string{
		"*1\r\n$9223372036854775807\r\n",
		"*9223372036854775807\r\n",
		"*3\r\n$4\r\nXADD\r\n$1\r\ns\r\n$1\r\n*\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
		"PING\r\nECHO \"a\\x41\\n\" 'b\\'c'\r\n\r\nSET k v\n",
		"*2\r\n$4\r\nECHO\r\n$10\r\nabc",
		"*1\r\n$4\r\nPINGxx*1\rX$4\r\nPING\r\n",
		"*-1\r\n*0\r\nPING\r\n*1\r\n\r\n",
		"ECHO a\x00b\r\n",
		"*11\r\n$1\r\na\r\n",
		"*1\r\n$16385\r\n",
		"foo\"bar\" x\r\n\"a\r\n",
	} {
		f.Add([]byte(seed), uint64(1), uint16(512), false)
		f.Add([]byte(seed), uint64(7), uint16(3), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, maxBulk uint16, unauthenticated bool) {
		lim := Limits{MaxBulkLen: int64(maxBulk), MaxQueryBuffer: DefaultMaxQueryBuffer, Unauthenticated: unauthenticated}
		whole, wholeErr := fuzzRead(t, bytes.NewReader(data), lim)
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		size := func() int { return 1 + rng.IntN(1<<rng.IntN(12)) }
		pieces, piecesErr := fuzzRead(t, &chunkReader{data: data, size: size}, lim)
		if !reflect.DeepEqual(whole, pieces) {
			t.Fatalf("whole read %q, in pieces %q", whole, pieces)
		}
		if wholeErr.Error() != piecesErr.Error() {
			t.Fatalf("whole ended with %v, in pieces with %v", wholeErr, piecesErr)
		}
	})
}

// fuzzRead reads every request and checks each against the limits.
func fuzzRead(t *testing.T, src io.Reader, lim Limits) ([][]string, error) {
	maxArgs, maxBulk := MaxMultibulkLen, lim.MaxBulkLen
	if lim.Unauthenticated {
		maxArgs, maxBulk = unauthMultibulkLen, min(maxBulk, unauthBulkLen)
	}
	rd := NewReader(src)
	var got [][]string
	for {
		cmds, err := rd.ReadCommands(lim)
		if err != nil {
			return got, err
		}
		if len(cmds) == 0 || lim.Unauthenticated && len(cmds) > 1 {
			t.Fatalf("%d requests in one batch", len(cmds))
		}
		for _, c := range cmds {
			if len(c.Args) == 0 {
				t.Fatal("a request without arguments")
			}
			// A multibulk request keeps to the argument limits; an inline
			// one to its line (arguments plus a blank between each).
			multibulk, line := len(c.Args) <= maxArgs, len(c.Args)-1
			for _, a := range c.Args {
				multibulk = multibulk && int64(len(a)) <= maxBulk
				line += len(a)
			}
			if !multibulk && line > MaxInlineLen {
				t.Fatalf("request of %d arguments, %d bytes, past the limits", len(c.Args), line)
			}
			got = append(got, strs(c.Args))
		}
	}
}
