package kernel

import (
	"math/rand"
	"strings"
	"testing"
	"time"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true}, {"*", "abc", true}, {"a*", "abc", true}, {"a*", "bac", false},
		{"*c", "abc", true}, {"a*c", "ac", true}, {"a*c", "abd", false}, {"h?llo", "hello", true},
		{"h?llo", "hllo", false}, {"h[ae]llo", "hallo", true}, {"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true}, {"h[^e]llo", "hello", false}, {"h[a-b]llo", "hbllo", true},
		{"h[b-a]llo", "hallo", true}, {"h[a-b]llo", "hcllo", false}, {`h\*llo`, "h*llo", true},
		{`h\*llo`, "hello", false}, {`\`, `\`, true}, {"[abc", "b", true}, {"[abc", "bc", false},
		{"[a-]", "]", true}, {`[\]]`, "]", true}, {"*a*b", "xaxxb", true}, {"*a*b", "xbxxa", false},
		{"a**b", "ab", true}, {"??", "a", false}, {"", "", true}, {"", "a", false},
	}
	for _, c := range cases {
		if got := GlobMatch([]byte(c.pat), []byte(c.s)); got != c.want {
			t.Errorf("GlobMatch(%q, %q) = %v, want %v", c.pat, c.s, got, c.want)
		}
	}
}

// The linear matcher agrees with the recursive one Redis had before
// CVE-2022-36021 (kept below as the reference) on random small inputs.
func TestGlobMatchAgreesWithRecursive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	tokens := []string{"*", "?", "a", "b", "[ab]", "[^a]", "[a-b]", `\*`, `\`, "[", "]", "-", "^"}
	for n := 0; n < 200000; n++ {
		var p strings.Builder
		for k := rng.Intn(6); k >= 0; k-- {
			p.WriteString(tokens[rng.Intn(len(tokens))])
		}
		s := make([]byte, rng.Intn(7))
		for i := range s {
			s[i] = "ab*]-^\\"[rng.Intn(7)]
		}
		if got, want := GlobMatch([]byte(p.String()), s), refGlob([]byte(p.String()), s); got != want {
			t.Fatalf("GlobMatch(%q, %q) = %v, recursive says %v", p.String(), s, got, want)
		}
	}
}

// A pattern that made the recursive matcher take exponential time (0.46 s
// at 32 bytes, ×5-10 for every few more) finishes at once on long input.
func TestGlobMatchPathological(t *testing.T) {
	pat := []byte(strings.Repeat("*a", 40) + "*b")
	s := []byte(strings.Repeat("a", 4096))
	done := make(chan bool, 1)
	go func() { done <- GlobMatch(pat, s) }()
	select {
	case got := <-done:
		if got {
			t.Fatal("matched a string without b")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("matching did not finish in 10 s")
	}
}

// refGlob is the recursive matcher sluice had until the CVE-2022-36021 fix.
func refGlob(pattern, s []byte) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 1 && pattern[1] == '*' {
				pattern = pattern[1:]
			}
			if len(pattern) == 1 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if refGlob(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			s = s[1:]
		case '[':
			if len(s) == 0 {
				return false
			}
			pattern = pattern[1:]
			not := len(pattern) > 0 && pattern[0] == '^'
			if not {
				pattern = pattern[1:]
			}
			match := false
			for len(pattern) > 0 && pattern[0] != ']' {
				switch {
				case pattern[0] == '\\' && len(pattern) >= 2:
					pattern = pattern[1:]
					if pattern[0] == s[0] {
						match = true
					}
				case len(pattern) >= 3 && pattern[1] == '-':
					lo, hi := pattern[0], pattern[2]
					if lo > hi {
						lo, hi = hi, lo
					}
					if s[0] >= lo && s[0] <= hi {
						match = true
					}
					pattern = pattern[2:]
				default:
					if pattern[0] == s[0] {
						match = true
					}
				}
				pattern = pattern[1:]
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
			if len(pattern) == 0 {
				return len(s) == 0
			}
		case '\\':
			if len(pattern) >= 2 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if len(s) == 0 || pattern[0] != s[0] {
				return false
			}
			s = s[1:]
		}
		pattern = pattern[1:]
	}
	return len(s) == 0
}
