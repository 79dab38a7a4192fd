package resp

import (
	"testing"
	"time"
)

// Redis's rules: the hard limit at once, the soft one after more than its
// seconds over it; a client back under the soft limit starts again.
func TestOverOutputLimit(t *testing.T) {
	s := &Server{}
	c := &client{srv: s}
	set := func(v string) {
		if err := s.SetOutputBufferLimit(v); err != nil {
			t.Fatal(err)
		}
	}
	set("normal 1000 100 0 slave 1 1 1 pubsub 1 1 1")
	if !c.overOutputLimit(1000) || c.overOutputLimit(999) {
		t.Fatal("hard limit")
	}
	if c.overOutputLimit(100) {
		t.Fatal("the soft limit closed at once")
	}
	time.Sleep(5 * time.Millisecond)
	if !c.overOutputLimit(100) {
		t.Fatal("soft limit with 0 seconds, passed")
	}
	c.overOutputLimit(99) // under again
	if c.overOutputLimit(100) {
		t.Fatal("the soft limit's time did not start again")
	}
	set("normal 0 100 9223372036854775807 slave 0 0 0 pubsub 0 0 0")
	c.overOutputLimit(100)
	time.Sleep(2 * time.Millisecond)
	if c.overOutputLimit(100) {
		t.Fatal("a soft limit of endless seconds closed")
	}
	set("normal 0 0 0 slave 0 0 0 pubsub 0 0 0")
	if c.overOutputLimit(1 << 40) {
		t.Fatal("no limit")
	}
	if err := s.SetOutputBufferLimit("slave 1 1 1"); err == nil {
		t.Fatal("no normal class accepted")
	}
}
