package redisint

import "testing"

func TestParse(t *testing.T) {
	ok := map[string]int64{"0": 0, "7": 7, "-7": -7, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63}
	for s, want := range ok {
		if got, good := Parse([]byte(s)); !good || got != want {
			t.Errorf("Parse(%q) = %d, %v", s, got, good)
		}
	}
	for _, s := range []string{"", "-", "-0", "007", "+1", " 1", "1 ", "1a", "9223372036854775808", "-9223372036854775809", "123456789012345678901"} {
		if _, good := Parse([]byte(s)); good {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}
