package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

const accReadme = "# payments\n\n## Secrets architecture\n\n**Access: ESO.** The values live at `secret-prod/payments/database/app`\n" +
	"and `secret-prod/payments/databse/app` (a typo), and ESO syncs them from secret/k3s/payments.\n"

const accExternalSecret = `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: payments
spec:
  secretStoreRef: { name: vault-backend, kind: ClusterSecretStore }
  target:
    name: payments-secrets
  data:
    - secretKey: DB_PASSWORD
      remoteRef:
        key: secret/k3s/payments
        property: db_password
    - secretKey: API_KEY
      remoteRef:
        key: secret/k3s/payments
        property: api_kee
    - secretKey: JWT_SECRET
      remoteRef:
        key: secret/k3s/paymnets
        property: jwt_secret
`

const accDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
spec:
  template:
    spec:
      containers:
        - name: app
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: payments-secrets
                  key: DB_PASSWORD
`

// verify and bootstrap against the real Vault, with a read-only token: every path and property
// the app names is read; the missing ones are reported with the nearest existing path or field;
// nothing is written, no secret value is printed, and the token cannot write.
func TestAccVerifyAndBootstrap(t *testing.T) {
	v := acctest.OwnVault(t)
	if err := v.Client.Sys().Mount("secret-prod", &api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}}); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"db_password": "pw-VALUE-1f9c", "api_key": "ak-VALUE-77e2", "jwt_secret": "jwt-VALUE-0b3d"}
	v.Write(t, "secret/data/k3s/payments", map[string]any{"data": map[string]any{"db_password": values["db_password"], "api_key": values["api_key"], "jwt_secret": values["jwt_secret"]}})
	v.Write(t, "secret-prod/data/payments/database/app", map[string]any{"data": map[string]any{"password": "pg-VALUE-5a5a"}})
	if err := v.Client.Sys().PutPolicy("reader", `
path "secret/data/*" { capabilities = ["read"] }
path "secret/metadata/*" { capabilities = ["read", "list"] }
path "secret-prod/data/*" { capabilities = ["read"] }
path "secret-prod/metadata/*" { capabilities = ["read", "list"] }
`); err != nil {
		t.Fatal(err)
	}
	tok, err := v.Client.Auth().Token().Create(&api.TokenCreateRequest{Policies: []string{"reader"}, NoDefaultPolicy: false})
	if err != nil {
		t.Fatal(err)
	}
	reader := tok.Auth.ClientToken
	// The token is read-only: it is denied a write.
	rc, _ := v.Client.Clone()
	rc.SetToken(reader)
	if _, err := rc.Logical().Write("secret/data/k3s/payments", map[string]any{"data": map[string]any{"x": "y"}}); err == nil {
		t.Fatal("the read-only token could write")
	}
	t.Setenv("VAULT_TOKEN", reader)
	dir := repo(t, map[string]string{".gitignore": ".env\n", "README.md": accReadme, "deploy/external-secret.yaml": accExternalSecret,
		"deploy/deployment.yaml": accDeployment, "src/env.ts": "import { z } from 'zod';\nexport const env = z.object({ DB_PASSWORD: z.string().min(1) }).parse(process.env);\n"})

	offset := v.AuditOffset(t)
	for _, format := range []string{"text", "json", "sarif", "github"} {
		var out, errOut bytes.Buffer
		if code := run([]string{"verify", "--root", dir, "--vault-addr", v.Addr, "--format", format}, &out, &errOut); code != 1 {
			t.Fatalf("%s: exit %d, want 1\n%s\n%s", format, code, out.String(), errOut.String())
		}
		got := out.String() + errOut.String()
		for _, want := range []string{
			"secret-prod/payments/databse/app", "nearest existing path is secret-prod/payments/database/app",
			"secret/k3s/paymnets", "nearest existing path is secret/k3s/payments",
			"api_kee", "nearest is \\\"api_key\\\"",
		} {
			if format == "text" || format == "github" {
				want = strings.ReplaceAll(want, `\"`, `"`)
			}
			if !strings.Contains(got, want) {
				t.Errorf("%s output lacks %q:\n%s", format, want, got)
			}
		}
		for _, found := range []string{"secret-prod/payments/database/app:", "db_password\" of"} {
			if strings.Contains(got, "names "+found) {
				t.Errorf("%s output reports an existing path or field (%s):\n%s", format, found, got)
			}
		}
		for _, secret := range []string{values["db_password"], values["api_key"], values["jwt_secret"], "pg-VALUE-5a5a", reader} {
			if strings.Contains(got, secret) {
				t.Fatalf("%s output contains a secret value or the token", format)
			}
		}
	}
	if w := v.WritesSince(t, offset); len(w) > 0 {
		t.Errorf("verify wrote to Vault: %v", w)
	}

	// bootstrap with --vault-addr runs the checklist and verify: this app passes the checklist,
	// so only the three missing paths remain.
	var out, errOut bytes.Buffer
	if code := run([]string{"bootstrap", "--root", dir, "--vault-addr", v.Addr, "--format", "json"}, &out, &errOut); code != 1 {
		t.Fatalf("bootstrap: exit %d, want 1\n%s\n%s", code, out.String(), errOut.String())
	}
	if n := strings.Count(out.String(), `"rule": "secret-path-not-in-vault"`); n != 3 || strings.Contains(out.String(), `"rule": "bootstrap-`) {
		t.Errorf("bootstrap: want exactly the 3 missing paths, got:\n%s", out.String())
	}
	// Fixed paths: bootstrap and verify pass.
	fixed := repo(t, map[string]string{".gitignore": ".env\n",
		"README.md":                   strings.ReplaceAll(accReadme, "`secret-prod/payments/databse/app` (a typo)", "`secret-prod/payments/database/app`"),
		"deploy/external-secret.yaml": strings.NewReplacer("api_kee", "api_key", "paymnets", "payments").Replace(accExternalSecret),
		"deploy/deployment.yaml":      accDeployment,
		"src/env.ts":                  "import { z } from 'zod';\nexport const env = z.object({ DB_PASSWORD: z.string().min(1) }).parse(process.env);\n"})
	out.Reset()
	errOut.Reset()
	if code := run([]string{"bootstrap", "--root", fixed, "--vault-addr", v.Addr}, &out, &errOut); code != 0 {
		t.Fatalf("bootstrap of the fixed app: exit %d, want 0\n%s\n%s", code, out.String(), errOut.String())
	}
	// Without a token verify is a usage error, not a pass.
	t.Setenv("VAULT_TOKEN", "")
	if code := run([]string{"verify", "--root", fixed, "--vault-addr", v.Addr}, &out, &errOut); code != 2 {
		t.Errorf("verify without a token: exit %d, want 2", code)
	}
}
