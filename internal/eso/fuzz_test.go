package eso

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Render never panics; what it renders is YAML whose every remoteRef is under the app's own
// canonical path, and what it refuses is an InputError naming the attribute at fault.
func FuzzRender(f *testing.F) {
	f.Add("prod", "web", "web", "database/app", "password", "DB_PASSWORD", false)
	f.Add("dev", "backend-api", "api", "oauth/google", "client_id", "", true)
	f.Add("qa", "Web", "Web", "database", "Password", "db-password", false)
	f.Fuzz(func(t *testing.T, env, service, namespace, key, field, envName string, direct bool) {
		app := App{Environment: env, Service: service, Namespace: namespace, Fields: map[string][]string{key: {field}}}
		if envName != "" {
			app.EnvNames = map[string]string{key + "." + field: envName}
		}
		if direct {
			app.Access, app.VaultAddr = "direct-vault", "https://vault.example.com"
		}
		m, err := Render(app)
		if err != nil {
			var in *InputError
			if !errors.As(err, &in) || in.Attr == "" {
				t.Fatalf("error %v is not an InputError with an attribute", err)
			}
			return
		}
		var doc struct {
			Spec struct {
				Data []struct {
					RemoteRef struct {
						Key string `yaml:"key"`
					} `yaml:"remoteRef"`
				} `yaml:"data"`
			} `yaml:"spec"`
		}
		if err := yaml.Unmarshal([]byte(m.ExternalSecret), &doc); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, m.ExternalSecret)
		}
		if len(doc.Spec.Data) == 0 {
			t.Fatal("no data entries")
		}
		for _, d := range doc.Spec.Data {
			if !strings.HasPrefix(d.RemoteRef.Key, "secret-"+env+"/"+service) {
				t.Fatalf("remoteRef %q is outside secret-%s/%s", d.RemoteRef.Key, env, service)
			}
		}
	})
}

// A plain entry Render accepts comes back from the env YAML byte for byte, its reason in the
// tag comment, and nothing else in the list.
func FuzzRenderPlain(f *testing.F) {
	f.Add("PORT", "3000", "non-secret")
	f.Add("URL", "https://api.stripe.com", "x # y: z")
	f.Add("A", "\"'`\\", "- item\n# heading")
	f.Add("B", "x\u2028y", "r\rs")
	f.Add("C", " padded ", "  spaced reason ")
	f.Fuzz(func(t *testing.T, name, def, reason string) {
		app := App{Environment: "dev", Service: "web", Namespace: "web", Fields: map[string][]string{"database/app": {"password"}},
			Plain: []PlainEnv{{Name: name, Default: def, Reason: reason}}}
		m, err := Render(app)
		if err != nil {
			return
		}
		var seq yaml.Node
		if err := yaml.Unmarshal([]byte(m.Env), &seq); err != nil {
			t.Fatalf("env YAML does not parse: %v\n%s", err, m.Env)
		}
		list := seq.Content[0].Content
		if len(list) != 2 {
			t.Fatalf("%d env entries, want 2:\n%s", len(list), m.Env)
		}
		var e struct{ Name, Value string }
		if err := list[1].Decode(&e); err != nil || e.Name != name || e.Value != def {
			t.Fatalf("plain entry reads back %+v (%v), want %q=%q:\n%s", e, err, name, def, m.Env)
		}
		if got := list[1].Content[3].LineComment; got != "# safe-default: "+reason {
			t.Fatalf("comment %q, want the reason %q:\n%s", got, reason, m.Env)
		}
	})
}
