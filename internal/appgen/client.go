package appgen

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"slices"
	"text/template"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// VaultClient is what the Direct-Vault client of an app is rendered from: the policy's
// "App-side Vault client pattern". Every field is a policy-validated name, never a value, and
// still reaches the generated code only through the target language's literal encoder.
type VaultClient struct {
	Environment, Service string
	// KVMount is the environment's KV v2 mount ("secret-prod"); the client reads
	// {KVMount}/data/{Service}/{key} and nothing else.
	KVMount string
	// LoginPath is the AppRole login endpoint ("auth/approle/login").
	LoginPath string
	// AddrEnv, RoleIDEnv and SecretIDEnv are the bootstrap environment variables: the plain
	// Vault address and the two keys the bootstrap ExternalSecret writes.
	AddrEnv, RoleIDEnv, SecretIDEnv string
	// Keys are the app's own secret keys ("database/app"), sorted; empty when the declaration
	// passes no field_names, and then the client accepts any canonical key of the app.
	Keys []string
}

// VaultClientOf describes the client of a Direct-Vault app from its rendered bootstrap
// manifests; approleMount is where the provider created the app's AppRole.
func VaultClientOf(a eso.App, m *eso.Manifests, approleMount string) VaultClient {
	c := VaultClient{Environment: a.Environment, Service: a.Service, KVMount: policy.MountOf(a.Environment),
		LoginPath: "auth/" + approleMount + "/login",
		AddrEnv:   eso.VaultAddrEnv, RoleIDEnv: m.EnvNames["role_id"], SecretIDEnv: m.EnvNames["secret_id"]}
	for key := range a.Fields {
		if _, _, err := policy.ParseKey(key); err == nil {
			c.Keys = append(c.Keys, key)
		}
	}
	slices.Sort(c.Keys)
	return c
}

//go:embed clienttmpl
var clientTemplates embed.FS

// Each target's literal encoder (encode.go): the only way a value enters a generated client.
var (
	tsClient = clientTemplate("vault_client.ts.tmpl", jsLit)
	pyClient = clientTemplate("vault_client.py.tmpl", pyLit)
	goClient = clientTemplate("vault_client.go.tmpl", goLit)
)

func clientTemplate(name string, lit func(string) string) *template.Template {
	return template.Must(template.New(name).Funcs(template.FuncMap{"lit": lit}).ParseFS(clientTemplates, "clienttmpl/"+name))
}

func renderClient(t *template.Template, c VaultClient) string {
	var b bytes.Buffer
	if err := t.Execute(&b, c); err != nil { // the data always fits the template
		panic(fmt.Sprintf("rendering %s: %v", t.Name(), err))
	}
	return b.String()
}

// ClientTypeScript renders vault_client.ts: the client with the fetch API of node 18+, no
// dependency.
func ClientTypeScript(c VaultClient) string { return renderClient(tsClient, c) }

// ClientPython renders vault_client.py: the client with hvac.
func ClientPython(c VaultClient) string { return renderClient(pyClient, c) }

// ClientGo renders vault_client.go (package vaultclient): the client with
// github.com/hashicorp/vault/api.
func ClientGo(c VaultClient) string {
	src := renderClient(goClient, c)
	out, err := format.Source([]byte(src))
	if err != nil { // the encoded inputs always format; keep the text inspectable if not
		return src
	}
	return string(out)
}
