package bench

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// valueField is the field name of every entry the benchmark writes, and
// keyField the field --keys adds.
const (
	valueField = "d"
	keyField   = "k"
)

// xadder sends batches of XADDs on one connection, reusing its argument
// slices so the loop allocates only what go-redis needs per command.
type xadder struct {
	conn *redis.Conn
	pipe redis.Pipeliner
	args [][]any // per pipeline slot: xadd <key> [maxlen ~ N] * d <value> [k <key>]
	cmds []redis.Cmder
	// With keys, each XADD's k is keys[mix(seq) % len(keys)], seq counting
	// up from what the caller set.
	keys []any
	seq  uint64
}

// withKeys adds a field k to every XADD, one of n values.
func (x *xadder) withKeys(n int) {
	for i := range n {
		x.keys = append(x.keys, "key-"+strconv.Itoa(i))
	}
	for i := range x.args {
		x.args[i] = append(x.args[i], keyField, nil)
	}
}

// newXadder prepares depth XADDs of value (boxed once by the caller so that
// sharing it allocates nothing), trimming with MAXLEN ~ maxlen if above 0.
func newXadder(conn *redis.Conn, depth, maxlen int, value any) *xadder {
	x := &xadder{conn: conn, pipe: conn.Pipeline(), cmds: make([]redis.Cmder, depth)}
	for range depth {
		a := []any{"xadd", nil}
		if maxlen > 0 {
			a = append(a, "maxlen", "~", maxlen)
		}
		x.args = append(x.args, append(a, "*", valueField, value))
	}
	return x
}

// exec sends one XADD per key in one round trip (no pipeline for one key) and
// returns how many failed, with the first error.
func (x *xadder) exec(ctx context.Context, keys []any) (failed int, err error) {
	cmds := x.cmds[:len(keys)]
	for i, k := range keys {
		x.args[i][1] = k
		if len(x.keys) > 0 {
			x.args[i][len(x.args[i])-1] = x.keys[mix(x.seq)%uint64(len(x.keys))]
			x.seq++
		}
		cmds[i] = redis.NewStringCmd(ctx, x.args[i]...)
	}
	if len(cmds) == 1 {
		if err := x.conn.Process(ctx, cmds[0]); err != nil {
			return 1, err
		}
		return 0, nil
	}
	if err := x.pipe.BatchProcess(ctx, cmds...); err != nil {
		return len(cmds), err
	}
	if _, err = x.pipe.Exec(ctx); err == nil {
		return 0, nil
	}
	for _, c := range cmds {
		if c.Err() != nil {
			failed++
		}
	}
	return failed, err
}

// streamKeys names n streams: the prefix itself for one, prefix:i for more.
func streamKeys(prefix string, n int) []string {
	if n == 1 {
		return []string{prefix}
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = prefix + ":" + strconv.Itoa(i)
	}
	return keys
}

// repeated returns n copies of key, boxed once.
func repeated(key string, n int) []any {
	keys := make([]any, n)
	var boxed any = key
	for i := range keys {
		keys[i] = boxed
	}
	return keys
}

// mix scrambles a sequence number (splitmix64's finalizer) so consecutive
// XADDs land on unrelated streams.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
