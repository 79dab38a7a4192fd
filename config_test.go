package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// settings runs the app with args and returns the flag values serve would
// see, without serving.
func settings(t *testing.T, args ...string) (map[string]string, error) {
	t.Helper()
	app := newApp()
	got := map[string]string{}
	app.Action = func(c *cli.Context) error {
		for _, name := range []string{"addr", "dir", "databases", "appendfsync", "snapshot-interval", "repair",
			"log-level", "log-format", "http-addr", "metrics-max-streams", "maxmemory", "group-ack-wait"} {
			got[name] = fmt.Sprint(c.Value(name))
		}
		for k, v := range params(c) {
			got["param:"+k] = v
		}
		return nil
	}
	err := app.Run(append([]string{"sluice"}, args...))
	return got, err
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A flag on the command line beats its environment variable, which beats
// the file, which beats the default.
func TestConfigPrecedence(t *testing.T) {
	path := writeFile(t, "sluice.toml", `
addr = "127.0.0.1:7000"
databases = 4
appendfsync = "always"
snapshot-interval = "1m"
repair = true
http-addr = "127.0.0.1:9000"
metrics-max-streams = 7
maxmemory = "1gb"
group-ack-wait = "30s"
`)
	t.Setenv("SLUICE_DATABASES", "8")
	got, err := settings(t, "--config", path, "--snapshot-interval", "2m")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"addr": "127.0.0.1:7000", "appendfsync": "always", "repair": "true", "http-addr": "127.0.0.1:9000",
		"metrics-max-streams": "7", "param:maxmemory": "1gb", "param:group-ack-wait": "30000", // from the file
		"databases":         "8",      // the environment over the file
		"snapshot-interval": "2m0s",   // the command line over the file
		"log-level":         "info",   // the default
		"dir":               "./data", // the default
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestConfigYAMLAndErrors(t *testing.T) {
	got, err := settings(t, "--config", writeFile(t, "s.yaml", "addr: 127.0.0.1:7001\nlog-format: json\ndatabases: 2\n"))
	if err != nil || got["addr"] != "127.0.0.1:7001" || got["log-format"] != "json" || got["databases"] != "2" {
		t.Fatalf("YAML: %v %v", got, err)
	}
	for name, body := range map[string]string{
		"typo.toml":  `adr = "127.0.0.1:1"`,
		"type.toml":  `databases = "many"`,
		"parse.toml": `addr = `,
	} {
		if _, err := settings(t, "--config", writeFile(t, name, body)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := settings(t, "--config", "/nonexistent/sluice.toml"); err == nil {
		t.Error("a missing file: no error")
	}
}

// The example file names every flag and starts a server as it is (its
// addresses and directory moved aside by the command line, which also
// shows the command line wins).
func TestExampleConfigStartsServer(t *testing.T) {
	b, err := os.ReadFile("sluice.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range serveFlags() {
		if bf, ok := f.(interface{ IsVisible() bool }); ok && !bf.IsVisible() {
			continue
		}
		if name := f.Names()[0]; !strings.Contains(string(b), "\n"+name+" =") && !strings.Contains(string(b), "# "+name+" =") {
			t.Errorf("sluice.example.toml does not mention %s", name)
		}
	}
	addr, httpAddr := freePort(t), freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- newApp().RunContext(ctx, []string{"sluice", "--config", "sluice.example.toml",
			"--addr", addr, "--http-addr", httpAddr, "--dir", t.TempDir(), "--log-level", "warn"})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("the server stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("never ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
