package bench

import (
	"bufio"
	"encoding/csv"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// failingServer answers PING and DEL but fails every XADD, on a local port
// it closes when the test ends.
func failingServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				serveFailing(c)
			}()
		}
	}()
	return l.Addr().String()
}

func serveFailing(c net.Conn) {
	defer c.Close()
	rd := bufio.NewReader(c)
	for {
		args, err := readCommand(rd)
		if err != nil {
			return
		}
		reply := "-ERR unknown command\r\n"
		switch strings.ToUpper(args[0]) {
		case "PING":
			reply = "+PONG\r\n"
		case "DEL":
			reply = ":0\r\n"
		case "XADD":
			reply = "-ERR boom\r\n"
		}
		if _, err := io.WriteString(c, reply); err != nil {
			return
		}
	}
}

// readCommand reads one RESP array of bulk strings.
func readCommand(rd *bufio.Reader) ([]string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
	if err != nil || n < 1 {
		return nil, io.ErrUnexpectedEOF
	}
	args := make([]string, n)
	for i := range args {
		if line, err = rd.ReadString('\n'); err != nil {
			return nil, err
		}
		size, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "$")))
		if err != nil {
			return nil, err
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return nil, err
		}
		args[i] = string(buf[:size])
	}
	return args, nil
}

func TestFailedCommandsAreCountedAndExitWithOne(t *testing.T) {
	addr := failingServer(t)
	out, err := runCLI(t, "produce", "--addr", addr, "-n", "1000", "-c", "3", "-P", "10", "--csv", "-q")
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "XADD: ERR boom") {
		t.Fatalf("error = %v (exit code %d), want the XADD error with exit code 1", err, exitCode(err))
	}
	recs, cerr := csv.NewReader(strings.NewReader(out)).ReadAll()
	if cerr != nil || len(recs) != 2 {
		t.Fatalf("want a CSV header and one row, got %q (%v)", out, cerr)
	}
	// The first failed pipeline stops the run: its 10 XADDs count, later echoes do not.
	if ops, errs := recs[1][1], recs[1][9]; ops != "0" || errs != "10" {
		t.Errorf("ops = %s, errors = %s; want 0 and 10", ops, errs)
	}
}
