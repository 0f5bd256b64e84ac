package lint

import (
	"slices"
	"strings"
	"testing"
)

var bootstrapApp = map[string]string{
	".gitignore": ".env\n",
	"README.md":  "# app\n\n## Secrets architecture\n\nESO syncs `secret-prod/app/api/main` into the app-secrets Secret.\n",
	"deploy/external-secret.yaml": "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: app\nspec:\n  target:\n    name: app-secrets\n" +
		"  data:\n    - secretKey: API_KEY\n      remoteRef:\n        key: secret-prod/app/api/main\n        property: api_key\n",
	"deploy/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - env:\n" +
		"            - name: API_KEY\n              valueFrom:\n                secretKeyRef:\n                  name: app-secrets\n                  key: API_KEY\n",
	"config/settings.py": "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    api_key: str\n",
}

func bootstrapRules(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := writeRepo(t, files)
	list, err := Files(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	found, err := Bootstrap(dir, list, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range found {
		rules = append(rules, f.Rule)
	}
	return rules
}

// The policy's bootstrap checklist: a complete app passes; each missing item is its finding.
func TestBootstrap(t *testing.T) {
	t.Parallel()
	with := func(change map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range bootstrapApp {
			m[k] = v
		}
		for k, v := range change {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for name, tc := range map[string]struct {
		files map[string]string
		want  []string
	}{
		"complete app":      {bootstrapApp, nil},
		"no readme section": {with(map[string]string{"README.md": "# app\n\nA service.\n"}), []string{RuleBootstrapReadme}},
		"no externalsecret": {with(map[string]string{"deploy/external-secret.yaml": ""}), []string{RuleBootstrapESO}},
		"key not synced":    {with(map[string]string{"deploy/deployment.yaml": strings.Replace(bootstrapApp["deploy/deployment.yaml"], "key: API_KEY", "key: API_TOKEN", 1)}), []string{RuleBootstrapKeyRef}},
		"other secret":      {with(map[string]string{"deploy/deployment.yaml": strings.Replace(bootstrapApp["deploy/deployment.yaml"], "name: app-secrets", "name: legacy", 1)}), []string{RuleBootstrapKeyRef}},
		"no validator":      {with(map[string]string{"config/settings.py": "import os\nAPI_KEY = os.environ['API_KEY']\n"}), []string{RuleBootstrapValidator}},
		"vault client":      {with(map[string]string{"src/vault.py": "import hvac\n"}), []string{RuleBootstrapDirect}},
		"justified client": {with(map[string]string{"src/vault.py": "import hvac\n", "README.md": bootstrapApp["README.md"] +
			"\n**Direct-Vault** for `secret-prod/app/db/creds`: dynamic database credentials with 15-minute leases renewed in the pod.\n"}), nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := bootstrapRules(t, tc.files); !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
		})
	}
}
