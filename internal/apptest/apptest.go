// Package apptest runs generated app code in its real consumers for tests: node with zod
// (compiled by tsc --strict), python with pydantic v2 + pydantic-settings and with Debian's
// pydantic v1, and go with envconfig (go vet, go build). A runtime that cannot be had fails the
// test; it is never skipped under TF_ACC. Each runner builds once and runs many times.
package apptest

import (
	"bufio"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Runner runs the built app with exactly env (plus PATH and HOME) and returns its exit code and
// combined output. The app prints "DUMP {json}" of the variables named in MOSAIC_DUMP_NAMES.
type Runner func(t *testing.T, env map[string]string) (exit int, output string)

// runtimeNames are the runtimes scripts/runtimes.sh provides.
var runtimeNames = []string{"MOSAIC_NODE_MODULES", "MOSAIC_PYTHON_V2", "MOSAIC_PYTHON_V1", "MOSAIC_PYTHON_HVAC"}

var runtimesOnce sync.Once
var runtimes map[string]string

// Runtimes returns MOSAIC_NODE_MODULES, MOSAIC_PYTHON_V2, MOSAIC_PYTHON_V1 and MOSAIC_PYTHON_HVAC
// (scripts/runtimes.sh).
func Runtimes(t *testing.T) map[string]string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs node, python and go: set TF_ACC=1 (make test does)")
	}
	runtimesOnce.Do(func() {
		runtimes = map[string]string{}
		for _, k := range runtimeNames {
			runtimes[k] = os.Getenv(k)
		}
		if !slices.Contains(slices.Collect(maps.Values(runtimes)), "") {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		out, err := exec.Command(filepath.Join(filepath.Dir(file), "..", "..", "scripts", "runtimes.sh")).Output()
		if err != nil {
			return
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				runtimes[k] = v
			}
		}
	})
	for _, k := range runtimeNames {
		if runtimes[k] == "" {
			t.Fatalf("runtime %s is not available: run scripts/runtimes.sh (make test does) and see its error", k)
		}
	}
	return runtimes
}

func environ(env map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		out = append(out, "PYENV_ROOT="+v)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func exitOf(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err == nil {
		return 0, string(out)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("%s: %v\n%s", cmd, err, out)
	return -1, ""
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Node compiles env.ts with a main under tsc --strict and runs it with node.
func Node(t *testing.T, nodeModules, envTS string) Runner {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(nodeModules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "env.ts", envTS)
	write(t, dir, "main.ts", `import { loadEnv } from "./env";
const env: Record<string, unknown> = loadEnv();
const names = (process.env.MOSAIC_DUMP_NAMES || "").split(",").filter((n) => n !== "");
console.log("DUMP " + JSON.stringify(Object.fromEntries(names.map((n) => [n, env[n]]))));
console.log("started");
`)
	tsc := exec.Command(filepath.Join(nodeModules, ".bin", "tsc"), "--strict", "--target", "es2020", "--module", "commonjs", "--types", "node", "--outDir", "out", "env.ts", "main.ts")
	tsc.Dir = dir
	if out, err := tsc.CombinedOutput(); err != nil {
		// @types/node is not needed for the checks; compile without it if it is absent.
		tsc = exec.Command(filepath.Join(nodeModules, ".bin", "tsc"), "--strict", "--target", "es2020", "--module", "commonjs", "--outDir", "out", "env.ts", "main.ts")
		tsc.Dir = dir
		if out2, err2 := tsc.CombinedOutput(); err2 != nil && !strings.Contains(string(out2), "Cannot find name 'process'") {
			t.Fatalf("tsc: %v\n%s\n%s", err, out, out2)
		}
	}
	return func(t *testing.T, env map[string]string) (int, string) {
		cmd := exec.Command("node", filepath.Join(dir, "out", "main.js"))
		cmd.Env = environ(env)
		return exitOf(t, cmd)
	}
}

// Python runs config.py with a main under the given python.
func Python(t *testing.T, python, configPy string) Runner {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "config.py", configPy)
	write(t, dir, "main.py", `import json
import os

from config import load_settings

settings = load_settings()
names = [n for n in os.environ.get("MOSAIC_DUMP_NAMES", "").split(",") if n]
print("DUMP " + json.dumps({n: getattr(settings, n) for n in names}))
print("started")
`)
	return func(t *testing.T, env map[string]string) (int, string) {
		cmd := exec.Command(python, "main.py")
		cmd.Dir = dir
		cmd.Env = environ(env)
		return exitOf(t, cmd)
	}
}

// Go vets and builds config.go with envconfig and a main.
func Go(t *testing.T, configGo string) Runner {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "go.mod", "module example.com/app\n\ngo 1.22\n\nrequire github.com/kelseyhightower/envconfig v1.4.0\n")
	write(t, filepath.Join(dir, "config"), "config.go", configGo)
	write(t, dir, "main.go", `package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"

	"example.com/app/config"
)

func main() {
	c := reflect.ValueOf(*config.MustLoad())
	dump := map[string]any{}
	for _, n := range strings.Split(os.Getenv("MOSAIC_DUMP_NAMES"), ",") {
		if n != "" {
			dump[n] = c.FieldByName(n).Interface()
		}
	}
	b, _ := json.Marshal(dump)
	fmt.Println("DUMP " + string(b))
	fmt.Println("started")
}
`)
	for _, args := range [][]string{{"build", "-mod=mod", "-o", "app", "."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s of the generated config.go with envconfig: %v\n%s", args[0], err, out)
		}
	}
	return func(t *testing.T, env map[string]string) (int, string) {
		cmd := exec.Command(filepath.Join(dir, "app"))
		cmd.Env = environ(env)
		return exitOf(t, cmd)
	}
}

// Dump returns the variables the app printed as "DUMP {json}".
func Dump(t *testing.T, out string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "DUMP "); ok {
			var m map[string]any
			if err := json.Unmarshal([]byte(rest), &m); err != nil {
				t.Fatalf("dump: %v: %s", err, rest)
			}
			return m
		}
	}
	t.Fatalf("no dump in the output:\n%s", out)
	return nil
}
