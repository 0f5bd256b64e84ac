package policy

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it, then review it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestAppPolicyGolden(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env, service string
		extra        []string
	}{
		"eso-dev-web.hcl":             {env: "dev", service: "web"},
		"direct-prod-backend-api.hcl": {env: "prod", service: "backend-api", extra: []string{"pki/issue/backend-api", "database/creds/backend-api-role", "pki/issue/backend-api"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := AppPolicy(tc.env, tc.service, tc.extra)
			golden(t, name, got)
			if again := AppPolicy(tc.env, tc.service, tc.extra); again != got {
				t.Error("rendering is not deterministic")
			}
			recovered := ExtraReadPathsOf(tc.env, tc.service, got)
			want := slices.Compact(slices.Sorted(slices.Values(tc.extra)))
			if !slices.Equal(recovered, want) {
				t.Errorf("ExtraReadPathsOf = %v, want %v", recovered, want)
			}
		})
	}
}

func TestCIWriterPolicyGolden(t *testing.T) {
	t.Parallel()
	golden(t, "ci-writer-prod.hcl", CIWriterPolicy("prod", "approle", map[string][]string{
		"web": nil, "backend-api": {"database/creds/backend-api-role"},
	}))
}
