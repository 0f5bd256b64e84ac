package policy

import (
	"slices"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/golden"
)

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
			golden.Check(t, name, got)
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
	golden.Check(t, "ci-writer-prod.hcl", CIWriterPolicy("prod", "approle", map[string][]string{
		"web": nil, "backend-api": {"database/creds/backend-api-role"},
	}))
}
