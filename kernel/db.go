package kernel

import (
	"hash/maphash"

	"github.com/tidwall/btree"
)

// DB is one numbered database.
type DB struct {
	keys    map[string]Value
	expires map[string]int64 // unix ms
	// order lists keys by (hash, name) so SCAN can resume from a cursor
	// that survives inserts and deletes.
	order *btree.BTreeG[ScanKey]
	// waits are the clients blocked on each key, in blocking order.
	waits map[string]*keyWaits
	// watches counts the WATCHes of each key; a key nobody watches has no
	// entry, so the map never outgrows what clients watch.
	watches map[string]*watch
	// gen changes whenever a key is added, replaced or removed (see
	// lastKey).
	gen uint64
}

// ScanKey places a key in SCAN order.
type ScanKey struct {
	Hash uint64
	Key  string
}

func scanLess(a, b ScanKey) bool {
	if a.Hash != b.Hash {
		return a.Hash < b.Hash
	}
	return a.Key < b.Key
}

var scanSeed = maphash.MakeSeed()

// KeyHash is a key's position in SCAN order.
func KeyHash(k string) uint64 { return maphash.String(scanSeed, k) >> 1 }

func newDB() *DB {
	return &DB{
		keys:    map[string]Value{},
		expires: map[string]int64{},
		order:   btree.NewBTreeGOptions(scanLess, btree.Options{NoLocks: true}),
		waits:   map[string]*keyWaits{},
		watches: map[string]*watch{},
	}
}

// Expired reports whether key has an expiry at or before now.
func (d *DB) Expired(key string, now int64) bool {
	at, ok := d.expires[key]
	return ok && at <= now
}

// Lookup returns the live value of key; an expired key reads as missing.
func (d *DB) Lookup(key string, now int64) Value {
	v, ok := d.keys[key]
	if !ok || d.Expired(key, now) {
		return nil
	}
	return v
}

// Expire returns the key's expiry in unix ms, or -1.
func (d *DB) Expire(key string) int64 {
	if at, ok := d.expires[key]; ok {
		return at
	}
	return -1
}

// Len counts keys, including expired ones not yet removed.
func (d *DB) Len() int { return len(d.keys) }

// Expires counts keys with an expiry.
func (d *DB) Expires() int { return len(d.expires) }

// Scan walks keys in SCAN order from a cursor until fn returns false.
func (d *DB) Scan(from ScanKey, fn func(ScanKey) bool) { d.order.Ascend(from, fn) }

// KeyAt returns the key at rank i of SCAN order (RANDOMKEY).
func (d *DB) KeyAt(i int) (ScanKey, bool) { return d.order.GetAt(i) }

func (d *DB) set(key string, v Value) {
	if _, ok := d.keys[key]; !ok {
		d.order.Set(ScanKey{KeyHash(key), key})
	}
	d.keys[key] = v
	d.gen++
}

func (d *DB) remove(key string) bool {
	if _, ok := d.keys[key]; !ok {
		return false
	}
	delete(d.keys, key)
	delete(d.expires, key)
	d.order.Delete(ScanKey{KeyHash(key), key})
	d.gen++
	return true
}

func (d *DB) flush() {
	d.gen++
	d.keys = map[string]Value{}
	d.expires = map[string]int64{}
	d.order = btree.NewBTreeGOptions(scanLess, btree.Options{NoLocks: true})
}
