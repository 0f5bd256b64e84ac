package eso

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/golden"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// crdSchema compiles the served v1 openAPIV3Schema of ESO's ExternalSecret CRD (ESO 2.9.0,
// copied with its licence into testdata/crds).
func crdSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	return crdSchemaOf(t, "testdata/crds/external-secrets.io_externalsecrets.yaml")
}

// crdSchemaOf compiles the served v1 openAPIV3Schema of a CRD file.
func crdSchemaOf(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string `yaml:"name"`
				Served bool   `yaml:"served"`
				Schema struct {
					OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
				} `yaml:"schema"`
			} `yaml:"versions"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(b, &crd); err != nil {
		t.Fatal(err)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name != "v1" {
			continue
		}
		if !v.Served {
			t.Fatal("v1 is not served by this CRD")
		}
		c := jsonschema.NewCompiler()
		id := filepath.Base(file) + "-v1.json"
		if err := c.AddResource(id, normalize(v.Schema.OpenAPIV3Schema)); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Fatal("no v1 version in the CRD")
	return nil
}

// normalize turns YAML-decoded values into the JSON shapes the validator expects.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case int:
		return float64(x)
	}
	return v
}

// validateDocs validates every YAML document of s against the CRD schema.
func validateDocs(t *testing.T, schema *jsonschema.Schema, s string) int {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(s))
	n := 0
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("YAML does not parse: %v\n%s", err, s)
		}
		if err := schema.Validate(normalize(doc)); err != nil {
			t.Fatalf("%v does not validate against the ESO v1 CRD schema: %v\n%s", doc["kind"], err, s)
		}
		n++
	}
	return n
}

func TestRenderGoldenAndSchema(t *testing.T) {
	schema := crdSchema(t)
	tests := map[string]App{
		"eso-prod-web": {Environment: "prod", Service: "web", Namespace: "web",
			Fields:   map[string][]string{"database/app": {"username", "password", "host"}, "oauth/google": {"client_id", "client_secret"}},
			EnvNames: map[string]string{"database/app.password": "DB_PASSWORD"},
			Plain: []PlainEnv{{Name: "PORT", Default: "3000", Reason: "non-secret, the app works at any port"}, {Name: "LOG_LEVEL", Default: "info", Reason: "verbosity only"},
				{Name: "BILLING_URL", Default: "https://api.stripe.com", Reason: "public API address"}, {Name: "CACHE_ADDR", Default: "cache:6379", Reason: "in-cluster host:port"},
				{Name: "GREETING", Default: `say "hi" # not a comment: x`, Reason: `quotes "and" # hashes: ok`}}},
		"direct-prod-backend-api": {Environment: "prod", Service: "backend-api", Access: "direct-vault", Namespace: "api",
			VaultAddr: "https://vault.example.com", StoreName: "vault-prod", StoreKind: "SecretStore", Revision: "0123456789abcdef"},
	}
	for name, app := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := Render(app)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, name+".externalsecret.yaml", m.ExternalSecret)
			golden.Check(t, name+".env.yaml", m.Env)
			if n := validateDocs(t, schema, m.All); n != 1 {
				t.Fatalf("%d documents in All", n)
			}
			again, _ := Render(app)
			if again.All != m.All || again.Env != m.Env {
				t.Error("rendering is not stable")
			}
		})
	}
}

func TestSchemaRejectsBrokenManifest(t *testing.T) {
	// The schema check must be able to fail: an ExternalSecret with a misspelled field is refused.
	schema := crdSchema(t)
	bad := `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: x, namespace: y}
spec:
  secretStoreRef: {name: vault-backend, kind: NotAStoreKind}
  target: {name: x, creationPolicy: Sometimes}
  data: [{secretKey: A, remoteRef: {key: k, property: p}}]
`
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(bad), &doc); err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(normalize(doc)); err == nil {
		t.Fatal("the CRD schema accepted an invalid ExternalSecret: the validation proves nothing")
	}
}

func TestRenderErrors(t *testing.T) {
	base := App{Environment: "dev", Service: "web", Namespace: "web", Fields: map[string][]string{"database/app": {"password"}}}
	tests := map[string]struct {
		mutate func(*App)
		want   string
	}{
		"collision": {func(a *App) {
			a.Fields = map[string][]string{"database/app": {"password"}, "database-app/x": {"y"}}
			a.EnvNames = map[string]string{"database-app/x.y": "DATABASE_APP_PASSWORD"}
		}, `database-app/x.y and database/app.password both map to env name "DATABASE_APP_PASSWORD"`},
		"natural collision": {func(a *App) {
			a.Fields = map[string][]string{"db/app-pw": {"x"}, "db-app/pw": {"x"}}
		}, "both map to env name"},
		"bad env name":    {func(a *App) { a.EnvNames = map[string]string{"database/app.password": "db-password"} }, "is not UPPER_SNAKE_CASE"},
		"unknown field":   {func(a *App) { a.EnvNames = map[string]string{"database/app.pass": "X"} }, "no field of this app"},
		"bad namespace":   {func(a *App) { a.Namespace = "Web_NS" }, "not a valid Kubernetes namespace"},
		"no fields":       {func(a *App) { a.Fields = nil }, "at least one secret"},
		"direct no addr":  {func(a *App) { a.Access = "direct-vault" }, "needs vault_addr"},
		"bad environment": {func(a *App) { a.Environment = "qa" }, "is not one of dev, staging, prod"},
		"bad key":         {func(a *App) { a.Fields = map[string][]string{"database": {"x"}} }, "component/secret-name"},
		"bad store kind":  {func(a *App) { a.StoreKind = "Store" }, "ClusterSecretStore or SecretStore"},
		"bad refresh":     {func(a *App) { a.RefreshInterval = "hourly" }, "is not a duration"},
		"plain bad name":  {func(a *App) { a.Plain = []PlainEnv{{Name: "port", Default: "1", Reason: "r"}} }, "is not UPPER_SNAKE_CASE"},
		"plain no reason": {func(a *App) { a.Plain = []PlainEnv{{Name: "PORT", Default: "1"}} }, "needs a reason"},
		"default on a secret": {func(a *App) {
			a.Plain = []PlainEnv{{Name: "DATABASE_APP_PASSWORD", Default: "changeme", Reason: "dev"}}
		}, "a secret never gets a default"},
		// The class of the injection demonstrations, refused at plan on plain_env.
		"reason newline": {func(a *App) {
			a.Plain = []PlainEnv{{Name: "PORT", Default: "1", Reason: "x\nconsole.log(process.env)"}}
		}, "a line break"},
		"reason U+2028":   {func(a *App) { a.Plain = []PlainEnv{{Name: "PORT", Default: "1", Reason: "x\u2028process.exit(0);"}} }, "a line or paragraph separator"},
		"reason CR":       {func(a *App) { a.Plain = []PlainEnv{{Name: "PORT", Default: "1", Reason: "x\rimport sys"}} }, "a line break"},
		"default newline": {func(a *App) { a.Plain = []PlainEnv{{Name: "PORT", Default: "1\n# heading", Reason: "r"}} }, "a line break"},
		"default bidi":    {func(a *App) { a.Plain = []PlainEnv{{Name: "PORT", Default: "a\u202eb", Reason: "r"}} }, "bidirectional"},
		"plain _name":     {func(a *App) { a.Plain = []PlainEnv{{Name: "_PORT", Default: "1", Reason: "r"}} }, "starting with a letter"},
		"env _name":       {func(a *App) { a.EnvNames = map[string]string{"database/app.password": "_DB_PASSWORD"} }, "starting with a letter"},
		"store name":      {func(a *App) { a.StoreName = "Vault Backend" }, "not a valid Kubernetes object name"},
		"addr not a url":  {func(a *App) { a.Access, a.VaultAddr = "direct-vault", "not a url" }, "vault_addr must be a URL"},
		"addr opaque":     {func(a *App) { a.Access, a.VaultAddr = "direct-vault", "vault:8200" }, "vault_addr must be a URL"},
		"addr password":   {func(a *App) { a.Access, a.VaultAddr = "direct-vault", "https://root:hunter2@vault:8200" }, "carries a credential"},
		"credential in a URL default": {func(a *App) {
			a.Plain = []PlainEnv{{Name: "DB_URL", Default: "postgres://app:hunter2@db:5432/app", Reason: "x"}}
		}, "looks like a credential"},
		"credential default": {func(a *App) {
			a.Plain = []PlainEnv{{Name: "API_KEY", Default: "ghp_abcdefghijklmnopqrstuvwxyz0123456789", Reason: "x"}}
		}, "looks like a credential"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a := base
			tc.mutate(&a)
			_, err := Render(a)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	for _, tc := range []struct{ key, field, want string }{
		{"database/app", "password", "DATABASE_APP_PASSWORD"},
		{"jwt/signing-key", "private_key", "JWT_SIGNING_KEY_PRIVATE_KEY"},
		{"oauth/google", "client_id", "OAUTH_GOOGLE_CLIENT_ID"},
	} {
		if got := EnvName(tc.key, tc.field); got != tc.want {
			t.Errorf("EnvName(%q, %q) = %q, want %q", tc.key, tc.field, got, tc.want)
		}
	}
	_ = fmt.Sprint
}
