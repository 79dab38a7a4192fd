package kernel

import "testing"

// The answers are redis-server 7.0.15's to CONFIG SET proto-max-bulk-len.
func TestCheckMemoryBetween(t *testing.T) {
	check := CheckMemoryBetween(1<<20, 1<<63-1)
	const between = "argument must be between 1048576 and 9223372036854775807 inclusive"
	for _, tc := range []struct{ in, want, err string }{
		{in: "512mb", want: "536870912"},
		{in: "1048576B", want: "1048576"},
		{in: "1024KB", want: "1048576"},
		{in: "1048576k", want: "1048576000"},
		{in: "01mb", want: "1048576"},
		{in: "2GB", want: "2147483648"},
		{in: "9223372036854775807", want: "9223372036854775807"},
		{in: "1000", err: between},
		{in: "1M", err: between},
		{in: "0", err: between},
		{in: "mb", err: between},
		{in: "", err: between},
		{in: "9223372036854775808", err: between},
		{in: "18446744073709551616", err: between},
		{in: "99999999999gb", err: between},
		{in: "-1", err: errNotMemory.Error()},
		{in: "abc", err: errNotMemory.Error()},
		{in: "1.5mb", err: errNotMemory.Error()},
		{in: " 1mb", err: errNotMemory.Error()},
		{in: "1mb ", err: errNotMemory.Error()},
		{in: "1e6", err: errNotMemory.Error()},
	} {
		got, err := check(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: got %q, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
