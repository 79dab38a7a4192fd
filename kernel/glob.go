package kernel

// GlobMatch matches s against a Redis glob pattern (*, ?, [a-z], [^x], \x),
// as stringmatchlen does, in O(len(pattern)*len(s)) at worst: every token
// but '*' matches exactly one byte, so on a mismatch only the last '*' needs
// to take one more byte. Redis's recursive matcher backtracked into every
// earlier '*' (CVE-2022-36021), and so did ours; under the engine lock a
// pattern like *a*a*a*a*a*a*a*a*b stalled every client.
func GlobMatch(pattern, s []byte) bool {
	p, i := 0, 0
	star, starI := -1, 0 // pattern index after the last '*', and where in s it resumed
	for {
		if p < len(pattern) && pattern[p] == '*' {
			for p < len(pattern) && pattern[p] == '*' {
				p++
			}
			if p == len(pattern) {
				return true
			}
			star, starI = p, i
			continue
		}
		if p < len(pattern) && i < len(s) {
			if n, ok := matchOne(pattern[p:], s[i]); ok {
				p, i = p+n, i+1
				continue
			}
		} else if p == len(pattern) && i == len(s) {
			return true
		}
		// Mismatch: let the last '*' swallow one more byte.
		if star < 0 || starI >= len(s) {
			return false
		}
		starI++
		p, i = star, starI
	}
}

// matchOne matches one byte against the token at the start of pattern (not
// '*'), returning the token's length.
func matchOne(pattern []byte, c byte) (int, bool) {
	switch pattern[0] {
	case '?':
		return 1, true
	case '[':
		return matchClass(pattern, c)
	case '\\':
		if len(pattern) >= 2 {
			return 2, pattern[1] == c
		}
	}
	return 1, pattern[0] == c
}

// matchClass matches c against [...] at the start of pattern. As in Redis,
// a class without its closing ']' runs to the end of the pattern.
func matchClass(pattern []byte, c byte) (int, bool) {
	i := 1
	not := i < len(pattern) && pattern[i] == '^'
	if not {
		i++
	}
	match := false
	for i < len(pattern) && pattern[i] != ']' {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern):
			i++
			match = match || pattern[i] == c
		case i+2 < len(pattern) && pattern[i+1] == '-':
			lo, hi := pattern[i], pattern[i+2]
			if lo > hi {
				lo, hi = hi, lo
			}
			match = match || (c >= lo && c <= hi)
			i += 2
		default:
			match = match || pattern[i] == c
		}
		i++
	}
	if i < len(pattern) {
		i++ // the ']'
	}
	return i, match != not
}
