package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Exit 0 clean, 1 findings, 2 usage or I/O error.
func TestExitCodes(t *testing.T) {
	clean := repo(t, map[string]string{".gitignore": ".env\n", "app.py": "import os\nPASSWORD = os.environ['PASSWORD']\n"})
	dirty := repo(t, map[string]string{".gitignore": ".env\n", "app.py": "PASSWORD = \"hunter2hunter\"\n"})
	badConfig := repo(t, map[string]string{".gitignore": ".env\n", ".mosaic-lint.yaml": "exclude:\n  - path: x\n"})
	for name, tc := range map[string]struct {
		args []string
		code int
		out  string
	}{
		"clean":               {[]string{"--root", clean}, 0, ""},
		"findings":            {[]string{"--root", dirty}, 1, "app.py:1:1: hardcoded-secret"},
		"findings as json":    {[]string{"--root", dirty, "--format", "json"}, 1, `"rule": "hardcoded-secret"`},
		"findings as github":  {[]string{"--root", dirty, "--format", "github"}, 1, "::error file=app.py,line=1,col=1"},
		"unknown format":      {[]string{"--root", dirty, "--format", "xml"}, 2, ""},
		"unknown flag":        {[]string{"--nope"}, 2, ""},
		"missing path":        {[]string{"--root", clean, "does-not-exist"}, 2, ""},
		"exclusion no reason": {[]string{"--root", badConfig}, 2, ""},
		"version":             {[]string{"--version"}, 0, "mosaic-lint dev"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout %q does not contain %q", out.String(), tc.out)
			}
		})
	}
}
