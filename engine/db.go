package engine

import (
	"hash/maphash"

	"github.com/tidwall/btree"

	"sluice/streams"
)

// DB is one numbered database.
type DB struct {
	keys    map[string]value
	expires map[string]int64 // unix ms
	// order lists keys by (hash, name) so SCAN can resume from a cursor
	// that survives inserts and deletes.
	order    *btree.BTreeG[scanKey]
	waiters  map[string]*waitList
	versions map[string]uint64 // WATCHed keys only
}

type value interface{ typeName() string }

// streamValue is a stream key: the entries and the consumer groups.
type streamValue struct {
	*streams.Stream
	ext streamExt
}

func (*streamValue) typeName() string { return "stream" }

type stringValue struct{ b []byte }

func (*stringValue) typeName() string { return "string" }

type scanKey struct {
	hash uint64
	key  string
}

func scanLess(a, b scanKey) bool {
	if a.hash != b.hash {
		return a.hash < b.hash
	}
	return a.key < b.key
}

var scanSeed = maphash.MakeSeed()

func keyHash(k string) uint64 { return maphash.String(scanSeed, k) >> 1 }

func newDB() *DB {
	return &DB{
		keys:     map[string]value{},
		expires:  map[string]int64{},
		order:    btree.NewBTreeGOptions(scanLess, btree.Options{NoLocks: true}),
		waiters:  map[string]*waitList{},
		versions: map[string]uint64{},
	}
}

// expired reports whether key has an expiry at or before now.
func (d *DB) expired(key string, now int64) bool {
	at, ok := d.expires[key]
	return ok && at <= now
}

// lookup returns the live value of key; an expired key reads as missing.
func (d *DB) lookup(key string, now int64) value {
	v, ok := d.keys[key]
	if !ok || d.expired(key, now) {
		return nil
	}
	return v
}

func (d *DB) set(key string, v value) {
	if _, ok := d.keys[key]; !ok {
		d.order.Set(scanKey{keyHash(key), key})
	}
	d.keys[key] = v
}

func (d *DB) remove(key string) bool {
	if _, ok := d.keys[key]; !ok {
		return false
	}
	delete(d.keys, key)
	delete(d.expires, key)
	d.order.Delete(scanKey{keyHash(key), key})
	return true
}

func (d *DB) flush() {
	d.keys = map[string]value{}
	d.expires = map[string]int64{}
	d.order = btree.NewBTreeGOptions(scanLess, btree.Options{NoLocks: true})
}

// Len counts keys, including expired ones not yet removed.
func (d *DB) Len() int { return len(d.keys) }
