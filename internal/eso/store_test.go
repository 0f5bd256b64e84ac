package eso

import (
	"errors"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/golden"
	"go.yaml.in/yaml/v3"
)

func storeSchemaFile() string { return "testdata/crds/external-secrets.io_clustersecretstores.yaml" }

// The ClusterSecretStore of each auth form validates against ESO's v1 CRD schema, and matches
// its golden file.
func TestRenderStore(t *testing.T) {
	t.Parallel()
	schema := crdSchemaOf(t, storeSchemaFile())
	for name, s := range map[string]Store{
		"store-jwt-prod.yaml":       {Environment: "prod", Namespace: "payments", Server: "https://vault.vault.svc:8200", AuthMount: "jwt-cluster-prod"},
		"store-kubernetes-dev.yaml": {Environment: "dev", Namespace: "web", Name: "vault-dev", Server: "http://vault.vault.svc:8200", Auth: "kubernetes", AuthMount: "k8s-dev"},
		"store-jwt-staging-ns.yaml": {Environment: "staging", Namespace: "shop", Server: "https://vault.example.internal", AuthMount: "jwt-cluster", Audiences: []string{"vault", "eso"}, ServiceAccount: "eso", VaultNamespace: "platform"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, err := RenderStore(s)
			if err != nil {
				t.Fatal(err)
			}
			if n := validateDocs(t, schema, out); n != 1 {
				t.Fatalf("%d documents", n)
			}
			golden.Check(t, name, out)
		})
	}
}

// The validation can fail: a store without its server, or with an unknown auth field, is refused
// by the schema.
func TestStoreSchemaRejects(t *testing.T) {
	t.Parallel()
	schema := crdSchemaOf(t, storeSchemaFile())
	out, err := RenderStore(Store{Environment: "prod", Namespace: "web", Server: "https://vault:8200", AuthMount: "jwt-k8s"})
	if err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(vault map[string]any){
		"no server":            func(v map[string]any) { delete(v, "server") },
		"version not a string": func(v map[string]any) { v["version"] = 2 },
		"jwt without path":     func(v map[string]any) { delete(v["auth"].(map[string]any)["jwt"].(map[string]any), "path") },
	} {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		mutate(doc["spec"].(map[string]any)["provider"].(map[string]any)["vault"].(map[string]any))
		if err := schema.Validate(normalize(doc)); err == nil {
			t.Errorf("%s: the CRD schema accepted a broken ClusterSecretStore", name)
		}
	}
}

func TestRenderStoreBadInput(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		s    Store
		attr string
	}{
		"name not DNS-1123": {Store{Environment: "prod", Namespace: "web", Name: "Vault_Backend", Server: "https://v:8200", AuthMount: "jwt"}, "name"},
		"server not a URL":  {Store{Environment: "prod", Namespace: "web", Server: "vault:8200", AuthMount: "jwt"}, "vault_server"},
		"environment":       {Store{Environment: "production", Namespace: "web", Server: "https://v:8200", AuthMount: "jwt"}, "environment"},
		"auth":              {Store{Environment: "prod", Namespace: "web", Server: "https://v:8200", Auth: "token"}, "auth"},
		"service account":   {Store{Environment: "prod", Namespace: "web", Server: "https://v:8200", ServiceAccount: "ESO", AuthMount: "jwt"}, "service_account"},
		"no namespace":      {Store{Environment: "prod", Server: "https://v:8200", AuthMount: "jwt"}, "namespace"},
		"namespace newline": {Store{Environment: "prod", Namespace: "web\nkind: Secret", Server: "https://v:8200", AuthMount: "jwt"}, "namespace"},
		"no auth mount":     {Store{Environment: "prod", Namespace: "web", Server: "https://v:8200"}, "auth_mount"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := RenderStore(tc.s)
			var in *InputError
			if !errors.As(err, &in) || in.Attr != tc.attr || !strings.Contains(err.Error(), tc.attr) {
				t.Fatalf("error %v, want one on %s", err, tc.attr)
			}
		})
	}
}
