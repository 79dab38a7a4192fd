package tests

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"sluice/internal/testserver"
)

// TestMain runs the integration tests twice: as they are, then again with
// every sealed stream block cold and read back from disk at each use (see
// testserver), where every command must reply as it does in memory. A
// test binary started with crashChildEnv set is a server that a test
// crashes (crash_test.go).
func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		crashChild()
		return
	}
	code := m.Run()
	if code != 0 || testserver.Cold() {
		os.Exit(code)
	}
	fmt.Println("--- the same tests with every sealed block cold (" + testserver.BlocksEnv + "=cold)")
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), testserver.BlocksEnv+"=cold")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "cold run:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
