package main

import (
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Against terraform-provider-vault (issue #27): N Direct-Vault apps written with
// terraform-provider-vault's own resources, and the same N apps with mosaic_app_secrets, each
// provider on a Vault of its own, through create, a no-change plan and destroy. Optional: it
// runs when -tpv names a terraform-provider-vault binary (the performance guide says how to
// build one).

var (
	tpvBin string
	tpvN   int
)

// tpvResourcesPerApp is what a Direct-Vault app is in terraform-provider-vault: the three
// secrets, the policy, the AppRole role, its secret_id and the bootstrap entry holding
// role_id and secret_id (mosaic_app_secrets writes the same objects).
const tpvResourcesPerApp = secretsPerApp + 4

// tpvRun is one provider's create, no-change plan and destroy.
type tpvRun struct {
	Ops        []op
	VaultCPU   []time.Duration // per op
	Load       string          // load average before and after
	StateBytes int64           // the state file after create
}

type tpvResult struct {
	N             int
	Bin, BinInfo  string
	Mosaic, Vault tpvRun
	// Floor is the byte floor (floor.go) of mosaic's state for create and the no-change plan:
	// Terraform alone, no provider, no Vault.
	Floor []time.Duration
}

var tpvSteps = []struct {
	name string
	args []string
}{
	{"create", []string{"apply", "-auto-approve"}},
	{"plan (no change)", []string{"plan", "-detailed-exitcode"}},
	{"destroy", []string{"destroy", "-auto-approve"}},
}

// checkTPVFlags checks -tpv and -tpv-n before anything runs.
func checkTPVFlags() error {
	if tpvBin == "" {
		return nil
	}
	if tpvN < 2 {
		return fmt.Errorf("bad -tpv-n %d (want at least 2)", tpvN)
	}
	_, err := os.Stat(tpvBin)
	return err
}

// measureTPV runs both providers at tpvN apps; nil without -tpv.
func measureTPV(work string, env []string, wrapper string, parallelism int) (*tpvResult, error) {
	if tpvBin == "" {
		return nil, nil
	}
	bin, err := filepath.Abs(tpvBin)
	if err != nil {
		return nil, err
	}
	info, err := binaryInfo(bin)
	if err != nil {
		return nil, fmt.Errorf("-tpv %s: %w", tpvBin, err)
	}
	res := &tpvResult{N: tpvN, Bin: bin, BinInfo: info}
	dir := filepath.Join(work, fmt.Sprintf("tpv-mosaic-%d", tpvN))
	b := &bencher{dir: dir, env: env, parallelism: parallelism, n: tpvN}
	b.configure = func(rev int) error {
		if err := b.config(rev); err != nil {
			return err
		}
		return allDirectVault(filepath.Join(dir, "main.tf"), tpvN)
	}
	if res.Mosaic, err = tpvMeasure("mosaic", b); err != nil {
		return nil, err
	}
	f := floor{name: "byte", body: byteFloorBody, dir: dir + "-byte-floor"}
	if f.pad, err = f.calibrate(work, env, tpvN, res.Mosaic.StateBytes); err != nil {
		return nil, err
	}
	if err := mkdir(f.dir); err != nil {
		return nil, err
	}
	for _, s := range tpvSteps[:2] {
		d, err := measureFloor(f, env, tpvN, 1, parallelism, s.args)
		if err != nil {
			return nil, err
		}
		res.Floor = append(res.Floor, d)
		fmt.Printf("byte floor N=%d %-17s %6.1fs\n", tpvN, s.name, d.Seconds())
	}

	// terraform-provider-vault through rsswrap too, installed by dev_overrides like mosaic.
	dir = filepath.Join(work, fmt.Sprintf("tpv-vault-%d", tpvN))
	plugins := filepath.Join(work, "tpv-plugins")
	rc := filepath.Join(work, "tpv-terraformrc")
	if err := mkdir(plugins); err != nil {
		return nil, err
	}
	if err := os.Symlink(wrapper, filepath.Join(plugins, "terraform-provider-vault")); err != nil {
		return nil, err
	}
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"hashicorp/vault\" = %q\n  }\n  direct {}\n}\n", plugins)), 0o644); err != nil {
		return nil, err
	}
	b = &bencher{dir: dir, parallelism: parallelism, n: tpvN,
		env: append(slices.Clone(env), "TF_CLI_CONFIG_FILE="+rc, "MOSAIC_BENCH_PROVIDER="+bin)}
	b.configure = func(int) error {
		return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tpvConfig(tpvN)), 0o644)
	}
	if res.Vault, err = tpvMeasure("terraform-provider-vault", b); err != nil {
		return nil, err
	}
	return res, nil
}

// tpvMeasure runs the steps in b on a Vault of its own and checks that destroy left nothing.
func tpvMeasure(label string, b *bencher) (tpvRun, error) {
	var run tpvRun
	v, err := acctest.StartVault()
	if err != nil {
		return run, err
	}
	defer v.Stop()
	if err := v.SetupPlatform(context.Background()); err != nil {
		return run, err
	}
	if err := mkdir(b.dir); err != nil {
		return run, err
	}
	b.audit = v.AuditFile
	b.env = append(slices.Clone(b.env), "VAULT_ADDR="+v.Addr, "VAULT_TOKEN="+v.Token)
	run.Load = loadAverage()
	for _, s := range tpvSteps {
		cpu0, err := v.CPUTime()
		if err != nil {
			return run, err
		}
		o, err := b.measure(s.name, 1, s.args, 0)
		if err != nil {
			return run, fmt.Errorf("%s N=%d %s: %w", label, b.n, s.name, err)
		}
		cpu1, err := v.CPUTime()
		if err != nil {
			return run, err
		}
		run.Ops = append(run.Ops, o)
		if s.name == "create" {
			if run.StateBytes, err = fileSize(filepath.Join(b.dir, "terraform.tfstate")); err != nil {
				return run, err
			}
		}
		run.VaultCPU = append(run.VaultCPU, cpu1-cpu0)
		fmt.Printf("%s N=%d %-17s %6.1fs  %6.2f req/app  CPU: provider %.1fs, terraform %.1fs, vault %.1fs\n", label, b.n, s.name,
			o.Wall.Seconds(), perApp(o.total(), b.n), o.ProviderCPU.Seconds(), o.TerraformCPU.Seconds(), (cpu1 - cpu0).Seconds())
	}
	run.Load += " / " + loadAverage()
	if left, err := leftovers(v); err != nil {
		return run, err
	} else if left != "" {
		return run, fmt.Errorf("%s N=%d: destroy left %s in Vault", label, b.n, left)
	}
	return run, nil
}

// allDirectVault turns every app of the mosaic configuration in file into a Direct-Vault one,
// the kind the terraform-provider-vault configuration writes.
func allDirectVault(file string, n int) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	eso, _ := split(n)
	const from, to = `access = "eso"`, `access = "direct-vault"`
	if got := strings.Count(string(b), from); got != eso {
		return fmt.Errorf("%s: %d ESO apps, want %d", file, got, eso)
	}
	return os.WriteFile(file, []byte(strings.ReplaceAll(string(b), from, to)), 0o644)
}

// tpvConfig is n Direct-Vault apps in terraform-provider-vault's resources: the same secrets
// (paths, fields and values) as the mosaic configuration, the same policy text, a role with the
// same settings, a secret_id with the same owner metadata, and the bootstrap entry.
func tpvConfig(n int) string {
	var sb strings.Builder
	sb.WriteString("terraform {\n  required_providers {\n    vault = { source = \"hashicorp/vault\" }\n  }\n}\n\nprovider \"vault\" {}\n\n")
	sb.WriteString(appLocals("", n, 1))
	// The policy text is policy.AppPolicy with Terraform's interpolations for env and service.
	appPolicy := policy.AppPolicy("${each.value.environment}", "${each.key}", nil)
	d := policy.DefaultAppRole
	fmt.Fprintf(&sb, `
locals {
  # The three secrets of every app, as mosaic_app_secrets writes them.
  secrets = merge([for k, a in local.apps : {
    "${k}/database/app" = { app = k, data = { username = k, password = a.password, host = "db", port = "5432" } }
    "${k}/oauth/google" = { app = k, data = { client_id = "${k}-client", client_secret = "cs-${k}" } }
    "${k}/jwt/signing"  = { app = k, data = { private_key = "pk-${k}" } }
  }]...)
}

resource "vault_kv_secret_v2" "secret" {
  for_each            = local.secrets
  mount               = local.mounts[local.apps[each.value.app].environment]
  name                = each.key
  data_json           = jsonencode(each.value.data)
  delete_all_versions = true
}

resource "vault_policy" "app" {
  for_each = local.apps
  name     = "${each.key}-${each.value.environment}"
  policy   = <<EOT
%sEOT
}

resource "vault_approle_auth_backend_role" "app" {
  for_each           = local.apps
  backend            = %q
  role_name          = vault_policy.app[each.key].name
  token_policies     = [vault_policy.app[each.key].name]
  token_ttl          = %d
  token_max_ttl      = %d
  secret_id_ttl      = %d
  secret_id_num_uses = 0
  bind_secret_id     = true
}

resource "vault_approle_auth_backend_role_secret_id" "app" {
  for_each  = local.apps
  backend   = vault_approle_auth_backend_role.app[each.key].backend
  role_name = vault_approle_auth_backend_role.app[each.key].role_name
  metadata  = jsonencode({ "managed-by" = "terraform-provider-mosaic", environment = each.value.environment, service = each.key })
}

resource "vault_kv_secret_v2" "bootstrap" {
  for_each = local.apps
  mount    = local.mounts[each.value.environment]
  name     = "${each.key}%s/approle/credentials"
  data_json = jsonencode({
    role_id   = vault_approle_auth_backend_role.app[each.key].role_id
    secret_id = vault_approle_auth_backend_role_secret_id.app[each.key].secret_id
  })
  delete_all_versions = true
}
`, appPolicy, policy.DefaultAppRoleMount, seconds(d.TokenTTL), seconds(d.TokenMaxTTL), seconds(d.SecretIDTTL), policy.BootstrapSuffix)
	return sb.String()
}

// seconds is a duration of the policy's defaults ("1h", "0") in seconds, as the tpv role takes it.
func seconds(s string) int {
	d, err := policy.ParseDuration("", s)
	if err != nil {
		panic(err) // the policy's own defaults
	}
	return int(d.Seconds())
}

// binaryInfo names a Go binary by its build: module, Go version, replaced modules, sha256.
func binaryInfo(bin string) (string, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", err
	}
	var replaced []string
	for _, d := range bi.Deps {
		if d.Replace != nil {
			replaced = append(replaced, d.Path+" => "+d.Replace.Path)
		}
	}
	s := fmt.Sprintf("%s %s, %s, sha256 %x", bi.Main.Path, bi.Main.Version, bi.GoVersion, sha256.Sum256(b))
	if len(replaced) > 0 {
		s += ", replaced: " + strings.Join(replaced, ", ")
	}
	return s, nil
}

// renderTPV writes the section; without -tpv a line saying how to get it.
func renderTPV(sb *strings.Builder, r *tpvResult) {
	sb.WriteString("\n## Against terraform-provider-vault\n\n")
	if r == nil {
		sb.WriteString("Not measured: run `bin/mosaic-bench -tpv /path/to/terraform-provider-vault` (or `BENCH_TPV_BIN=... make bench`); " +
			"the performance guide says how to build that binary.\n")
		return
	}
	fmt.Fprintf(sb, "%d Direct-Vault apps, 3 secrets each, each provider on a Vault of its own (dev server, audit device on), -parallelism as above. "+
		"terraform-provider-vault writes each app as %d resources: 3 `vault_kv_secret_v2`, `vault_policy`, `vault_approle_auth_backend_role`, "+
		"`vault_approle_auth_backend_role_secret_id` and a `vault_kv_secret_v2` bootstrap entry holding role_id and secret_id; "+
		"mosaic as one `mosaic_app_secrets` with `access = \"direct-vault\"`, which writes the same objects. "+
		"Binary: `%s` (%s).\n\n", r.N, tpvResourcesPerApp, filepath.Base(r.Bin), r.BinInfo)
	fmt.Fprintf(sb, "The byte floor is Terraform alone (`terraform_data`, no provider, no Vault) on %d instances storing as many state bytes as mosaic's (%d B per app), "+
		"measured right after mosaic: the lowest a provider writing mosaic's state could reach. "+
		"CPU: user + system time of the provider processes, of Terraform, and of the Vault server during the command; "+
		"\"CPU, mosaic / tpv\" compares the three added up, which depends less on the machine's load than the wall time.\n\n", r.N, r.Mosaic.StateBytes/int64(r.N))
	fmt.Fprintf(sb, "Load average (1, 5, 15 min) before / after: mosaic %s; terraform-provider-vault %s.\n\n", r.Mosaic.Load, r.Vault.Load)
	sb.WriteString("| operation | mosaic | terraform-provider-vault | mosaic / tpv | CPU, mosaic / tpv | byte floor / tpv | requests/app (mosaic / tpv) | provider CPU (mosaic / tpv) | Terraform CPU (mosaic / tpv) | Vault CPU (mosaic / tpv) | provider peak RSS (mosaic / tpv) |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for i, s := range tpvSteps {
		m, t := r.Mosaic.Ops[i], r.Vault.Ops[i]
		fl := "-"
		if i < len(r.Floor) {
			fl = fmt.Sprintf("%.1f s, %.3fx", r.Floor[i].Seconds(), r.Floor[i].Seconds()/t.Wall.Seconds())
		}
		cpu := func(o op, vault time.Duration) float64 { return (o.ProviderCPU + o.TerraformCPU + vault).Seconds() }
		fmt.Fprintf(sb, "| %s | %.1f s | %.1f s | %.3fx | %.3fx | %s | %.2f / %.2f | %.1f s / %.1f s | %.1f s / %.1f s | %.1f s / %.1f s | %.0f / %.0f MiB |\n", s.name,
			m.Wall.Seconds(), t.Wall.Seconds(), m.Wall.Seconds()/t.Wall.Seconds(), cpu(m, r.Mosaic.VaultCPU[i])/cpu(t, r.Vault.VaultCPU[i]), fl, perApp(m.total(), r.N), perApp(t.total(), r.N),
			m.ProviderCPU.Seconds(), t.ProviderCPU.Seconds(), m.TerraformCPU.Seconds(), t.TerraformCPU.Seconds(),
			r.Mosaic.VaultCPU[i].Seconds(), r.Vault.VaultCPU[i].Seconds(), float64(m.RSSKiB)/1024, float64(t.RSSKiB)/1024)
	}
	sb.WriteString("\n")
	for _, g := range tpvGoals(r) {
		fmt.Fprintf(sb, "- %s\n", g)
	}
	var kinds strings.Builder
	var ops []op
	for _, run := range []struct {
		name string
		ops  []op
	}{{"mosaic", r.Mosaic.Ops}, {"tpv", r.Vault.Ops}} {
		for _, o := range run.ops {
			o.Name = run.name + " " + o.Name
			ops = append(ops, o)
		}
	}
	renderKinds(&kinds, ops)
	sb.WriteString(strings.Replace(kinds.String(), "## Requests per app by kind", "### Requests per app by kind, against terraform-provider-vault", 1))
}

// tpvGoals are the two goals: apply at most 0.05x and no-change plan at most 0.1x
// terraform-provider-vault's wall time.
func tpvGoals(r *tpvResult) []string {
	var out []string
	for _, g := range []struct {
		what string
		i    int
		max  float64
	}{{"apply", 0, 0.05}, {"no-change plan", 1, 0.1}} {
		ratio := r.Mosaic.Ops[g.i].Wall.Seconds() / r.Vault.Ops[g.i].Wall.Seconds()
		out = append(out, fmt.Sprintf("%s <= %gx terraform-provider-vault at N=%d: %s (%.1f s against %.1f s, %.3fx)", g.what, g.max, r.N, metIf(ratio <= g.max),
			r.Mosaic.Ops[g.i].Wall.Seconds(), r.Vault.Ops[g.i].Wall.Seconds(), ratio))
	}
	return out
}
