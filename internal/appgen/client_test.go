package appgen

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/apptest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/golden"
)

// clientFixture is the Direct-Vault client of backend-api in prod, with two secrets.
func clientFixture(t *testing.T) VaultClient {
	t.Helper()
	a := eso.App{Environment: "prod", Service: "backend-api", Access: "direct-vault", Namespace: "api", VaultAddr: "https://vault.vault.svc:8200",
		Fields: map[string][]string{"jwt/signing-key": {"private_key"}, "database/app": {"password"}}}
	m, err := eso.Render(a)
	if err != nil {
		t.Fatal(err)
	}
	return VaultClientOf(a, m, "approle")
}

func TestVaultClientGolden(t *testing.T) {
	t.Parallel()
	c := clientFixture(t)
	if c.LoginPath != "auth/approle/login" || c.KVMount != "secret-prod" || c.RoleIDEnv != "VAULT_ROLE_ID" || c.SecretIDEnv != "VAULT_SECRET_ID" || c.AddrEnv != "VAULT_ADDR" ||
		strings.Join(c.Keys, ",") != "database/app,jwt/signing-key" {
		t.Fatalf("client %+v", c)
	}
	golden.Check(t, "direct-backend-api.vault_client.ts", ClientTypeScript(c))
	golden.Check(t, "direct-backend-api.vault_client.py", ClientPython(c))
	golden.Check(t, "direct-backend-api.vault_client.go", ClientGo(c))
}

// hostile is text that would end a literal, a line or a comment in one of the targets.
const hostile = "x\"'`\\\n\r\u2028\u2029*/\"\"\"${a}%s\x00}; os.Exit(0) //"

func hostileClient() VaultClient {
	return VaultClient{Environment: hostile, Service: hostile + "s", KVMount: hostile + "m", LoginPath: hostile + "l",
		AddrEnv: hostile + "a", RoleIDEnv: hostile + "r", SecretIDEnv: hostile + "i", Keys: []string{hostile + "k1", hostile + "k2"}}
}

// Every input reaches the Go client as a literal of exactly its value: the file parses, and its
// constants and Keys decode to the inputs byte for byte.
func TestVaultClientGoEncodesEveryInput(t *testing.T) {
	t.Parallel()
	c := hostileClient()
	src := ClientGo(c)
	f, err := parser.ParseFile(token.NewFileSet(), "vault_client.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("the generated Go does not parse: %v\n%s", err, src)
	}
	got := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		ast.Inspect(vs, func(m ast.Node) bool {
			if lit, ok := m.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				got[vs.Names[0].Name] = append(got[vs.Names[0].Name], s)
			}
			return true
		})
		return true
	})
	want := map[string][]string{"Environment": {c.Environment}, "Service": {c.Service}, "KVMount": {c.KVMount}, "LoginPath": {c.LoginPath},
		"AddrEnv": {c.AddrEnv}, "RoleIDEnv": {c.RoleIDEnv}, "SecretIDEnv": {c.SecretIDEnv}, "Keys": c.Keys}
	for name, w := range want {
		if strings.Join(got[name], "\x01") != strings.Join(w, "\x01") {
			t.Errorf("%s decodes to %q, want %q", name, got[name], w)
		}
	}
	for _, cg := range f.Comments {
		if strings.Contains(cg.Text(), "os.Exit") {
			t.Errorf("input reached a comment: %q", cg.Text())
		}
	}
}

// The hostile client in its real consumers: tsc --strict compiles the TypeScript and node loads
// it, python3 (with hvac) imports the Python, go vet passes the Go; each one's constants are the
// inputs byte for byte, and none of the injected code runs.
func TestVaultClientRuntimesHoldEveryInput(t *testing.T) {
	rt := apptest.Runtimes(t)
	nodeModules, python := rt["MOSAIC_NODE_MODULES"], rt["MOSAIC_PYTHON_HVAC"]
	c := hostileClient()
	want, err := json.Marshal([]any{c.Environment, c.Service, c.KVMount, c.LoginPath, c.AddrEnv, c.RoleIDEnv, c.SecretIDEnv, c.Keys})
	if err != nil {
		t.Fatal(err)
	}
	write := func(dir, name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(dir, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	same := func(runtime, got string) {
		t.Helper()
		var gotV, wantV any
		if err := json.Unmarshal([]byte(got), &gotV); err != nil {
			t.Fatalf("%s: %v: %s", runtime, err, got)
		}
		_ = json.Unmarshal(want, &wantV)
		if !reflect.DeepEqual(gotV, wantV) {
			t.Errorf("%s reads\n%s\nwant\n%s", runtime, got, want)
		}
	}
	t.Run("typescript", func(t *testing.T) {
		dir := t.TempDir()
		write(dir, "vault_client.ts", ClientTypeScript(c))
		if err := os.Symlink(nodeModules, filepath.Join(dir, "node_modules")); err != nil {
			t.Fatal(err)
		}
		run(dir, filepath.Join(nodeModules, ".bin", "tsc"), "--strict", "--target", "es2022", "--module", "commonjs", "--types", "node", "--outDir", "out", "vault_client.ts")
		got := run(dir, "node", "-e", `const m = require("./out/vault_client.js");
console.log(JSON.stringify([m.ENVIRONMENT, m.SERVICE, m.KV_MOUNT, m.LOGIN_PATH, m.ADDR_ENV, m.ROLE_ID_ENV, m.SECRET_ID_ENV, m.KEYS]));`)
		same("node", got)
	})
	t.Run("python", func(t *testing.T) {
		dir := t.TempDir()
		write(dir, "vault_client.py", ClientPython(c))
		got := run(dir, python, "-c", `import json, vault_client as m
print(json.dumps([m.ENVIRONMENT, m.SERVICE, m.KV_MOUNT, m.LOGIN_PATH, m.ADDR_ENV, m.ROLE_ID_ENV, m.SECRET_ID_ENV, m.KEYS], separators=(",", ":")))`)
		same("python", got)
	})
	t.Run("go", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "vaultclient"), 0o755); err != nil {
			t.Fatal(err)
		}
		write(dir, "go.mod", "module example.com/app\n\ngo 1.22\n\nrequire github.com/hashicorp/vault/api v1.23.0\n")
		write(filepath.Join(dir, "vaultclient"), "vault_client.go", ClientGo(c))
		run(dir, "go", "vet", "-mod=mod", "./...")
	})
}
