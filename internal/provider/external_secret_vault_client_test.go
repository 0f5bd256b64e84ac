package provider

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/apptest"
)

// The generated Direct-Vault clients, run by their real consumers (go with vault/api, python3
// with Debian's hvac, node with fetch after tsc --strict) against the real Vault, with the
// bootstrap credentials mosaic_app_secrets wrote. Each client: stops naming a missing bootstrap
// variable; logs in and reads its secret; keeps working across token expiries (token_ttl 2s,
// token_max_ttl 5s, seven seconds: renewals and new logins, and Vault never refuses it its own
// path); logs in again when its token is revoked; and is denied another app's path. No value,
// token or secret_id appears in any output.

const (
	vcApp   = "vclient-app"
	vcOther = "vclient-other"
)

func testAccVaultClientConfig(addr, appValue, otherValue string) string {
	return fmt.Sprintf(`
resource "mosaic_app_secrets" "app" {
  environment                = "dev"
  service                    = %[3]q
  secrets                    = { "database/app" = { password = %[1]q } }
  access                     = "direct-vault"
  direct_vault_justification = "Vault DB secrets engine leases with a 15 minute TTL, renewed in-pod"
  approle                    = { token_ttl = "2s", token_max_ttl = "5s" }
}

resource "mosaic_app_secrets" "other" {
  environment = "dev"
  service     = %[4]q
  secrets     = { "database/app" = { password = %[2]q } }
}

data "mosaic_external_secret" "app" {
  environment            = mosaic_app_secrets.app.environment
  service                = mosaic_app_secrets.app.service
  access                 = mosaic_app_secrets.app.access
  field_names            = mosaic_app_secrets.app.field_names
  direct_vault_justification = mosaic_app_secrets.app.direct_vault_justification
  kubernetes_namespace   = "apps"
  vault_addr             = %[5]q
  lease_renewal_strategy = "The client renews its token at two thirds of its TTL and logs in again when renewal fails."
}

# The client another app's declaration would get, to be run with this app's credentials.
data "mosaic_external_secret" "other" {
  environment            = mosaic_app_secrets.other.environment
  service                = mosaic_app_secrets.other.service
  access                 = "direct-vault"
  field_names            = mosaic_app_secrets.other.field_names
  direct_vault_justification = "Vault DB secrets engine leases with a 15 minute TTL, renewed in-pod"
  kubernetes_namespace   = "apps"
  vault_addr             = %[5]q
  lease_renewal_strategy = "The client renews its token at two thirds of its TTL and logs in again when renewal fails."
}

data "mosaic_external_secret" "eso" {
  environment          = mosaic_app_secrets.other.environment
  service              = mosaic_app_secrets.other.service
  access               = mosaic_app_secrets.other.access
  field_names          = mosaic_app_secrets.other.field_names
  kubernetes_namespace = "apps"
}
`, appValue, otherValue, vcApp, vcOther, addr)
}

func TestAccExternalSecret_vaultClients(t *testing.T) {
	v := acctest.Vault(t)
	appValue, otherValue := "vc-app-value-"+randomHex(t), "vc-other-value-"+randomHex(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccVaultClientConfig(v.Addr, appValue, otherValue),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckNoResourceAttr("data.mosaic_external_secret.eso", "vault_client_go"),
				resource.TestCheckNoResourceAttr("data.mosaic_external_secret.eso", "vault_client_python"),
				resource.TestCheckNoResourceAttr("data.mosaic_external_secret.eso", "vault_client_typescript"),
				func(s *terraformState) error {
					app := s.RootModule().Resources["data.mosaic_external_secret.app"].Primary.Attributes
					other := s.RootModule().Resources["data.mosaic_external_secret.other"].Primary.Attributes
					boot := v.KVData(t, "secret-dev", vcApp+"-bootstrap/approle/credentials")
					roleID, _ := boot["role_id"].(string)
					secretID, _ := boot["secret_id"].(string)
					if roleID == "" || secretID == "" {
						return fmt.Errorf("the bootstrap entry has no role_id or secret_id")
					}
					env := map[string]string{"VAULT_ADDR": v.Addr, "VAULT_ROLE_ID": roleID, "VAULT_SECRET_ID": secretID}
					secrets := map[string]string{"the app's secret": appValue, "the other app's secret": otherValue, "role_id": roleID, "secret_id": secretID}
					for _, lang := range []string{"go", "python", "typescript"} {
						t.Run(lang, func(t *testing.T) {
							runs := clientRunners(t, lang, app["vault_client_"+lang], other["vault_client_"+lang])
							testVaultClient(t, v, runs[0], runs[1], env, appValue, secrets)
						})
					}
					return nil
				},
			),
		}},
	})
}

func testVaultClient(t *testing.T, v *acctest.Server, run, runOther clientRun, env map[string]string, appValue string, secrets map[string]string) {
	wantRead := "read sha256=" + sha256Hex(appValue)
	noLeak := func(what, out string) {
		t.Helper()
		for name, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s: the output contains %s:\n%s", what, name, out)
			}
		}
	}

	for _, name := range []string{"VAULT_ADDR", "VAULT_ROLE_ID", "VAULT_SECRET_ID"} {
		partial := map[string]string{}
		for k, val := range env {
			if k != name {
				partial[k] = val
			}
		}
		code, out := run(t, partial, "0s", nil)
		if code == 0 || !strings.Contains(out, "missing bootstrap environment variable "+name) {
			t.Errorf("without %s: exit %d, want an error naming it:\n%s", name, code, out)
		}
		noLeak("without "+name, out)
	}

	// Across expiries: token_ttl 2s and token_max_ttl 5s; the second read comes after seven.
	offset := v.AuditOffset(t)
	code, out := run(t, env, "7s", nil)
	if code != 0 || strings.Count(out, wantRead) != 2 {
		t.Errorf("across expiry: exit %d, want two reads of the app's secret:\n%s", code, out)
	}
	if !strings.Contains(out, `refused: vault client: "database/other" is not one of this app's secrets (database/app)`) {
		t.Errorf("a key that is not the app's was not refused by the client:\n%s", out)
	}
	noLeak("across expiry", out)
	ev := vaultClientEvents(t, v, offset)
	t.Logf("across expiry: %d logins, %d renewals, %d refused reads", ev.logins, ev.renewals, ev.ownDenied)
	if ev.logins < 2 || ev.renewals < 1 || ev.ownDenied > 0 {
		t.Errorf("across expiry: %d logins, %d renewals, %d refused reads of its own path: want at least 2 logins, 1 renewal, and the token never let lapse", ev.logins, ev.renewals, ev.ownDenied)
	}

	// Revoked after the first read: the client logs in again, on the refused read (or on the
	// refused renewal, if that comes first), and reads.
	offset = v.AuditOffset(t)
	code, out = run(t, env, "stdin", func() { revokeRoleTokens(t, v, vcApp+"-dev") })
	if code != 0 || strings.Count(out, wantRead) != 2 {
		t.Errorf("after revocation: exit %d, want two reads of the app's secret:\n%s", code, out)
	}
	noLeak("after revocation", out)
	ev = vaultClientEvents(t, v, offset)
	if ev.logins < 2 || ev.ownDenied > 1 {
		t.Errorf("after revocation: %d logins, %d refused reads: want a new login and at most the one refused read", ev.logins, ev.ownDenied)
	}
	t.Logf("after revocation: %d logins, %d refused reads (1: the read logged in again; 0: the renewal did first)", ev.logins, ev.ownDenied)

	// The client of another app, with this app's credentials: denied by Vault, clearly.
	code, out = runOther(t, env, "0s", nil)
	if code == 0 || !strings.Contains(out, "secret-dev/data/"+vcOther+"/database/app") || !strings.Contains(out, "permission denied") {
		t.Errorf("another app's path: exit %d, want permission denied naming the path:\n%s", code, out)
	}
	noLeak("another app's path", out)
}

// The clients log in where the provider created the AppRole: its approle_mount.
func TestAccExternalSecret_vaultClientsUseTheProvidersAppRoleMount(t *testing.T) {
	acctest.Vault(t) // the data source reads the secrets' versions
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "mosaic" {
  approle_mount = "apps-approle"
}

data "mosaic_external_secret" "api" {
  environment            = "prod"
  service                = "backend-api"
  access                 = "direct-vault"
  field_names            = { "database/app" = ["password"] }
  direct_vault_justification = "Vault DB secrets engine leases with a 15 minute TTL, renewed in-pod"
  kubernetes_namespace   = "api"
  vault_addr             = "https://vault.vault.svc:8200"
  lease_renewal_strategy = "The client renews its token at two thirds of its TTL and logs in again when renewal fails."
}
`,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttrWith("data.mosaic_external_secret.api", "vault_client_go", wantIn(`LoginPath = "auth/apps-approle/login"`, `KVMount = "secret-prod"`, `var Keys = []string{"database/app"}`)),
				resource.TestCheckResourceAttrWith("data.mosaic_external_secret.api", "vault_client_python", wantIn(`LOGIN_PATH = "auth/apps-approle/login"`, `KEYS = ["database/app"]`)),
				resource.TestCheckResourceAttrWith("data.mosaic_external_secret.api", "vault_client_typescript", wantIn(`LOGIN_PATH = "auth/apps-approle/login"`, `KEYS: readonly string[] = ["database/app"]`)),
			),
		}},
	})
}

func wantIn(parts ...string) resource.CheckResourceAttrWithFunc {
	return func(v string) error {
		for _, p := range parts {
			if !strings.Contains(v, p) {
				return fmt.Errorf("%q not in:\n%s", p, v)
			}
		}
		return nil
	}
}

type vaultEvents struct{ logins, renewals, ownDenied int }

// vaultClientEvents counts, in the audit log after offset, the app role's logins and renewals
// and the reads of the app's own path that Vault refused.
func vaultClientEvents(t *testing.T, v *acctest.Server, offset int64) vaultEvents {
	t.Helper()
	f, err := os.Open(v.AuditFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var ev vaultEvents
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e struct {
			Type    string `json:"type"`
			Error   string `json:"error"`
			Request struct {
				Path string `json:"path"`
			} `json:"request"`
			Auth struct {
				Metadata map[string]string `json:"metadata"`
			} `json:"auth"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Type != "response" {
			continue
		}
		switch {
		case e.Request.Path == "auth/approle/login" && e.Error == "" && e.Auth.Metadata["role_name"] == vcApp+"-dev":
			ev.logins++
		case e.Request.Path == "auth/token/renew-self" && e.Error == "" && e.Auth.Metadata["role_name"] == vcApp+"-dev":
			ev.renewals++
		case e.Request.Path == "secret-dev/data/"+vcApp+"/database/app" && e.Error != "":
			ev.ownDenied++
		}
	}
	return ev
}

// revokeRoleTokens revokes every token of an AppRole role, as an operator would after a leak.
func revokeRoleTokens(t *testing.T, v *acctest.Server, role string) {
	t.Helper()
	list, err := v.Client.Logical().List("auth/token/accessors")
	if err != nil || list == nil {
		t.Fatalf("listing token accessors: %v", err)
	}
	keys, _ := list.Data["keys"].([]any)
	revoked := 0
	for _, k := range keys {
		acc, _ := k.(string)
		info, err := v.Client.Logical().Write("auth/token/lookup-accessor", map[string]any{"accessor": acc})
		if err != nil || info == nil {
			continue // expired meanwhile
		}
		if meta, _ := info.Data["meta"].(map[string]any); meta["role_name"] == role {
			if _, err := v.Client.Logical().Write("auth/token/revoke-accessor", map[string]any{"accessor": acc}); err != nil {
				t.Fatalf("revoking a token of %s: %v", role, err)
			}
			revoked++
		}
	}
	if revoked == 0 {
		t.Fatalf("no token of %s to revoke", role)
	}
}

// clientRun runs a test program around a generated client with env: it reads the app's
// database/app secret, then again after wait ("7s"; "stdin": after afterFirst ran; "0s": no
// second read).
type clientRun func(t *testing.T, env map[string]string, wait string, afterFirst func()) (exit int, output string)

// The test program of each language first reads "database/other", which is not the app's (it
// prints the refusal), then prints "read sha256=<digest of the password field>" per read of
// "database/app", or the client's error, and exits non-zero on an error.
var vaultClientPrograms = map[string]struct{ file, main string }{
	"go": {"vaultclient/vault_client.go", `package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"time"

	"example.com/app/vaultclient"
)

func main() {
	ctx := context.Background()
	c, err := vaultclient.New(ctx)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	if _, err := c.Read(ctx, "database/other"); err != nil {
		fmt.Println("refused:", err)
	}
	for i := 0; i < 2; i++ {
		if i == 1 && !wait(os.Args[1]) {
			break
		}
		data, err := c.Read(ctx, "database/app")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Printf("read sha256=%x\n", sha256.Sum256([]byte(data["password"])))
	}
	if err := c.Close(); err != nil {
		fmt.Println("error:", err)
		os.Exit(4)
	}
}

// wait sleeps for arg, or reads a line when arg is "stdin"; false for "0s": no second read.
func wait(arg string) bool {
	if arg == "stdin" {
		_, err := bufio.NewReader(os.Stdin).ReadString('\n')
		return err == nil
	}
	d, _ := time.ParseDuration(arg)
	time.Sleep(d)
	return d > 0
}
`},
	"python": {"vault_client.py", `import hashlib, sys, time
from vault_client import VaultClient, VaultClientError



def wait(arg):
    """Sleeps for arg, or reads a line when arg is "stdin"; False for "0s": no second read."""
    if arg == "stdin":
        return sys.stdin.readline() != ""
    time.sleep(float(arg.rstrip("s")))
    return float(arg.rstrip("s")) > 0


try:
    c = VaultClient()
    try:
        c.read("database/other")
    except VaultClientError as e:
        print("refused:", e, flush=True)
    for i in range(2):
        if i == 1 and not wait(sys.argv[1]):
            break
        data = c.read("database/app")
        print("read sha256=" + hashlib.sha256(data["password"].encode()).hexdigest(), flush=True)
    c.close()
except VaultClientError as e:
    print("error:", e, flush=True)
    sys.exit(3)
`},
	"typescript": {"vault_client.ts", `import { createHash } from "crypto";
import { createInterface } from "readline";
import { VaultClient } from "./vault_client";

// wait sleeps for arg, or reads a line when arg is "stdin"; false for "0s": no second read.
async function wait(arg: string): Promise<boolean> {
  if (arg === "stdin") {
    const rl = createInterface({ input: process.stdin });
    const line = await new Promise<string | undefined>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(undefined));
    });
    rl.close();
    return line !== undefined;
  }
  const seconds = parseFloat(arg);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return seconds > 0;
}

async function main(): Promise<void> {
  const c = await VaultClient.connect();
  await c.read("database/other").catch((e: unknown) => console.log("refused: " + (e instanceof Error ? e.message : String(e))));
  for (let i = 0; i < 2; i++) {
    if (i === 1 && !(await wait(process.argv[2]))) {
      break;
    }
    const data = await c.read("database/app");
    console.log("read sha256=" + createHash("sha256").update(data["password"] ?? "").digest("hex"));
  }
  await c.close();
}

main().catch((e: unknown) => {
  console.log("error: " + (e instanceof Error ? e.message : String(e)));
  process.exit(3);
});
`},
}

// clientRunners writes each generated client beside a test program (in folders c0, c1, ...),
// builds them all with the language's own tools in one go (go build with vault/api from the
// module proxy, tsc --strict), and returns a runner for each.
func clientRunners(t *testing.T, lang string, clients ...string) []clientRun {
	t.Helper()
	p := vaultClientPrograms[lang]
	dir := t.TempDir()
	writeFile := func(name, content string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var tsFiles []string
	for i, client := range clients {
		if client == "" {
			t.Fatalf("no %s client was rendered", lang)
		}
		sub := fmt.Sprintf("c%d", i)
		writeFile(filepath.Join(sub, p.file), client)
		switch lang {
		case "go":
			writeFile(filepath.Join(sub, "main.go"), strings.ReplaceAll(p.main, "example.com/app/", "example.com/app/"+sub+"/"))
		case "python":
			writeFile(filepath.Join(sub, "main.py"), p.main)
		case "typescript":
			writeFile(filepath.Join(sub, "main.ts"), p.main)
			tsFiles = append(tsFiles, filepath.Join(sub, p.file), filepath.Join(sub, "main.ts"))
		}
	}
	var argv func(sub string) []string
	switch lang {
	case "go":
		writeFile("go.mod", "module example.com/app\n\ngo 1.22\n\nrequire github.com/hashicorp/vault/api v1.23.0\n")
		build(t, dir, "go", "build", "-mod=mod", "-o", "bin/", "./...")
		argv = func(sub string) []string { return []string{filepath.Join(dir, "bin", sub)} }
	case "python":
		python := apptest.Runtimes(t)["MOSAIC_PYTHON_HVAC"]
		argv = func(sub string) []string { return []string{python, filepath.Join(sub, "main.py")} }
	case "typescript":
		nodeModules := apptest.Runtimes(t)["MOSAIC_NODE_MODULES"]
		if err := os.Symlink(nodeModules, filepath.Join(dir, "node_modules")); err != nil {
			t.Fatal(err)
		}
		build(t, dir, filepath.Join(nodeModules, ".bin", "tsc"), append([]string{"--strict", "--target", "es2022", "--module", "commonjs", "--types", "node", "--outDir", "out"}, tsFiles...)...)
		argv = func(sub string) []string { return []string{"node", filepath.Join("out", sub, "main.js")} }
	}
	runs := make([]clientRun, len(clients))
	for i := range clients {
		runs[i] = programRunner(dir, argv(fmt.Sprintf("c%d", i)))
	}
	return runs
}

// programRunner runs one built test program (see clientRun).
func programRunner(dir string, argv []string) clientRun {
	return func(t *testing.T, env map[string]string, wait string, afterFirst func()) (int, string) {
		t.Helper()
		cmd := exec.Command(argv[0], append(argv[1:], wait)...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		sc := bufio.NewScanner(stdout)
		for first := true; sc.Scan(); {
			out.WriteString(sc.Text() + "\n")
			if first && strings.HasPrefix(sc.Text(), "read ") {
				first = false
				if afterFirst != nil {
					afterFirst()
				}
				_, _ = io.WriteString(stdin, "go on\n")
			}
		}
		_ = stdin.Close()
		err = cmd.Wait()
		out.WriteString(stderr.String())
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), out.String()
		}
		if err != nil {
			t.Fatalf("%s: %v", argv[0], err)
		}
		return 0, out.String()
	}
}

func build(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s: built in %s", filepath.Base(name), time.Since(start).Round(time.Millisecond))
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomHex(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
