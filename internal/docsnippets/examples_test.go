package docsnippets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// The resource example of mosaic_app_secrets, as the registry page shows it, applies to an
// empty Vault: it brings the platform it needs.
func TestAccExampleAppSecrets_emptyVault(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	vault := acctest.OwnVault(t)
	env := []string{"TF_CLI_CONFIG_FILE=" + acctest.MirrorConfig(t, acctest.ProviderMirror(t, root)),
		"VAULT_ADDR=" + vault.Addr, "VAULT_TOKEN=" + vault.Token,
		"TF_VAR_web_db_password=web-pw", "TF_VAR_backend_db_password=backend-pw",
		"TF_VAR_google_client_secret=google-secret", "TF_VAR_jwt_key=" + "k3y-0123456789abcdef0123456789abcdef"}
	dir := t.TempDir()
	// The Example Usage file and the folder's terraform block; not the import examples.
	for _, f := range []string{"resource.tf", "versions.tf"} {
		b, err := os.ReadFile(filepath.Join(root, "examples/resources/mosaic_app_secrets", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-no-color"}, {"apply", "-auto-approve", "-no-color"}} {
		if out, err := acctest.Terraform(dir, env, args...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	if d := vault.KVData(t, "secret-prod", "backend-api/database/app"); d["password"] != "backend-pw" {
		t.Errorf("backend-api's secret in Vault has fields %d, want the declared password", len(d))
	}
	if r := vault.Role(t, "approle", "backend-api-prod"); r == nil {
		t.Error("the Direct-Vault example's AppRole role is missing")
	}
	// Destroy removes the apps (their secrets soft-deleted, restorable), then the platform refuses
	// to drop a mount that still holds them: nothing of the mount is lost by accident.
	out, err := acctest.Terraform(dir, env, "destroy", "-auto-approve", "-no-color")
	if err == nil || !strings.Contains(out, "still holds secrets") {
		t.Fatalf("destroy: want the platform's refusal to drop a mount with secrets, got %v\n%s", err, out)
	}
	if m := vault.KVMetadata(t, "secret-prod", "web/database/app"); m == nil {
		t.Error("destroy lost the soft-deleted secret's metadata: it cannot be restored")
	}
}
