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
