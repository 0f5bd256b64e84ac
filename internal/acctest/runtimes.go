package acctest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	runtimesOnce sync.Once
	runtimesOut  = map[string]string{}
	runtimesErr  string
)

// Runtime is the app-side runtime that scripts/runtimes.sh provides under name
// (MOSAIC_NODE_MODULES, MOSAIC_PYTHON_V2, MOSAIC_PYTHON_V1, MOSAIC_PYTHON_HVAC): the
// environment's value if set, else the script's, run once per test binary (it installs what is
// missing). Without TF_ACC the test is skipped; a runtime that cannot be had fails it.
func Runtime(t testing.TB, name string) string {
	t.Helper()
	skipWithoutAcc(t)
	if v := os.Getenv(name); v != "" {
		return v
	}
	runtimesOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		cmd := exec.Command(filepath.Join(filepath.Dir(file), "..", "..", "scripts", "runtimes.sh"))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			runtimesErr = err.Error() + ": " + stderr.String()
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				runtimesOut[k] = v
			}
		}
	})
	if runtimesOut[name] == "" {
		t.Fatalf("runtime %s is not available from scripts/runtimes.sh: %s", name, runtimesErr)
	}
	return runtimesOut[name]
}
