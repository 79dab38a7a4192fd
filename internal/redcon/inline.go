package redcon

// splitArgs splits an inline request line into arguments as Redis's
// sdssplitargs does, so redis-cli-style input means the same here:
// blanks separate arguments; "double quotes" take \n \r \t \b \a \xHH and
// \<any>; 'single quotes' take \'; a closing quote must be followed by a
// blank or the end. ok is false on unbalanced quotes. The line holds no
// NUL (the reader ends a line's search at one, as strchr does).
func splitArgs(line []byte) (args [][]byte, ok bool) {
	at := func(i int) byte { // the byte at i, or 0 past the end as in C
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, true
		}
		arg := []byte{}
		inDouble, inSingle := false, false
		for done := false; !done; {
			c, end := at(i), i >= len(line)
			switch {
			case inDouble:
				switch {
				case c == '\\' && at(i+1) == 'x' && isHex(at(i+2)) && isHex(at(i+3)):
					arg = append(arg, unhex(at(i+2))<<4|unhex(at(i+3)))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					arg = append(arg, unescape(line[i]))
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				case end:
					return nil, false
				default:
					arg = append(arg, c)
				}
			case inSingle:
				switch {
				case c == '\\' && at(i+1) == '\'':
					i++
					arg = append(arg, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				case end:
					return nil, false
				default:
					arg = append(arg, c)
				}
			default:
				switch {
				case end || c == ' ' || c == '\n' || c == '\r' || c == '\t':
					done = true
				case c == '"':
					inDouble = true
				case c == '\'':
					inSingle = true
				default:
					arg = append(arg, c)
				}
			}
			if !end {
				i++
			}
		}
		args = append(args, arg)
	}
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
