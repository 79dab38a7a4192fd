package bench

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// runCLI runs "app bench args..." and returns stdout and the error, whose
// exit code a real run would exit with.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	app := &cli.App{
		Name:           "sluice",
		Commands:       []*cli.Command{Command()},
		Writer:         &out,
		ErrWriter:      io.Discard,
		ExitErrHandler: func(*cli.Context, error) {}, // keep the test process alive
	}
	err := app.Run(append([]string{"sluice", "bench"}, args...))
	return out.String(), err
}

func exitCode(err error) int {
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return -1
}

func TestBadArgumentsAreRejectedBeforeConnecting(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `unknown workload "nope"`},
		{[]string{"produce", "-c", "0"}, "-c must be >= 1"},
		{[]string{"consume", "--clients", "-3"}, "-c must be >= 1"},
		{[]string{"produce", "-n", "0"}, "-n must be >= 1"},
		{[]string{"produce", "-d", "0"}, "-d must be >= 1"},
		{[]string{"e2e", "-d", "7"}, "-d must be >= 8 (the value carries its send time)"},
		{[]string{"produce", "-P", "0"}, "-P must be >= 1"},
		{[]string{"produce", "--streams", "0"}, "--streams must be >= 1"},
		{[]string{"produce", "--maxlen", "-1"}, "--maxlen must be >= 0"},
		{[]string{"produce", "--db", "-1"}, "--db must be >= 0"},
		{[]string{"consume", "--count", "0"}, "--count must be >= 1"},
		{[]string{"e2e", "--producers", "0"}, "--producers must be >= 1"},
		{[]string{"e2e", "--consumers", "0"}, "--consumers must be >= 1"},
		{[]string{"e2e", "--rate", "-1"}, "--rate must be >= 0"},
		{[]string{"e2e", "--duration", "-1s"}, "--duration must be >= 0"},
		{[]string{"fanout", "--groups", "0"}, "--groups must be >= 1"},
		{[]string{"produce", "--json", "--csv"}, "--json and --csv exclude each other"},
		{[]string{"produce", "--key", ""}, "--key must not be empty"},
		{[]string{"produce", "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			// A closed port: reaching the server would be a different error.
			_, err := runCLI(t, append(tc.args, "--addr", closedAddr(t))...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if code := exitCode(err); code != 2 {
				t.Errorf("exit code = %d, want 2", code)
			}
		})
	}
}

func TestUnreachableServerExitsWithOne(t *testing.T) {
	_, err := runCLI(t, "produce", "--addr", closedAddr(t), "-q")
	if err == nil || !strings.Contains(err.Error(), "no PONG from") || exitCode(err) != 1 {
		t.Fatalf("error = %v (exit code %d), want \"no PONG from\" with exit code 1", err, exitCode(err))
	}
}

func TestBenchWithoutWorkloadShowsHelp(t *testing.T) {
	out, err := runCLI(t)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range workloads {
		if !strings.Contains(out, w.name) {
			t.Errorf("help does not list workload %s:\n%s", w.name, out)
		}
	}
}

// closedAddr returns an address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
