// Command bench measures what mosaic_app_secrets costs per app (`make bench`).
//
// It starts a dev Vault with a file audit device, generates configurations of N apps (three
// secrets each, half eso, half direct-vault, spread over the three environments) and runs the
// real Terraform CLI through create, a no-change plan, an update of one secret and destroy.
// For each it records the wall time, the Vault requests per app by kind (from the audit log),
// the minimum a provider needs for that operation, and the provider's peak RSS. It prints a
// table and writes a markdown report that states the machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

const secretsPerApp = 3

func main() {
	sizes := flag.String("n", "10,100,1000", "comma-separated numbers of apps (empty: none, only the platform and workspaces)")
	provider := flag.String("provider", "bin/terraform-provider-mosaic", "provider binary")
	wrapper := flag.String("rsswrap", "bin/rsswrap", "rsswrap binary (measures the provider's peak RSS)")
	out := flag.String("out", "bench/REPORT.md", "markdown report")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism")
	platform := flag.String("platform", "5000", "comma-separated numbers of services of a mosaic_platform (empty: none)")
	workspaces := flag.String("workspaces", "5x200", "concurrent workspaces: {workspaces}x{apps} (empty: none)")
	flag.StringVar(&tpvBin, "tpv", "", "terraform-provider-vault binary: measure it against mosaic at -tpv-n Direct-Vault apps (empty: not measured)")
	flag.IntVar(&tpvN, "tpv-n", 200, "apps of the comparison with terraform-provider-vault")
	flag.StringVar(&anchorBin, "anchor", "bin/mosaic-anchor", "the anchor provider (bench/anchor): the no-change plans run through it too (empty: not measured)")
	flag.StringVar(&anchorVariants, "anchor-variants", defaultAnchorVariants, "schema edits of the anchor provider (MOSAIC_ANCHOR_SCHEMA), separated by ';', each measured on the largest N's plan -refresh=false (empty: none)")
	flag.IntVar(&shapeMax, "shape-max", 100, "largest N at which the shape floor runs too (its create and destroy take minutes at 1000; no goal refers to it)")
	flag.Parse()
	if err := run(*sizes, *provider, *wrapper, *out, *parallelism, *platform, *workspaces); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var (
	shapeMax       int
	anchorBin      string
	anchorVariants string
)

// defaultAnchorVariants are the parts of mosaic's interface whose cost to Terraform the bench
// measures: each computed attribute that holds several values, the nested attributes served as
// plain types, the write-only secrets. (Dropping the sensitive mark of `secrets` cannot be
// measured this way: Terraform plans the change of sensitivity as an update of every app.)
const defaultAnchorVariants = "-field_names;-versions;-policy;-secret_ids;-approle;approle:plain,secret_ids:plain;secrets_wo:nowriteonly;-field_names,-versions,-secret_ids,-approle,-policy"

// variant is the largest N's plan -refresh=false through the anchor provider with its schema
// edited (Edits empty: as served).
type variant struct {
	N                         int
	Edits                     string
	Wall                      time.Duration
	ProviderCPU, TerraformCPU time.Duration
}

// op is one measured Terraform command.
type op struct {
	N        int
	Name     string
	Wall     time.Duration
	Requests map[string]int // by kind, all apps
	Min      int            // minimum requests, all apps
	RSSKiB   int64
	// CPU time of the provider processes and of Terraform itself.
	ProviderCPU, TerraformCPU time.Duration
	// Floor is the wall time of the same operation on terraform_data resources with as many
	// state bytes per instance (no provider, no Vault), ShapeFloor on terraform_data of the shape
	// of an app's state (floor.go); StateBytes, FloorBytes and ShapeBytes the state per app
	// after a create.
	// PluginFloor is the byte floor's configuration through a provider plugin that answers at
	// once (mosaic_bytes of bench/anchor), with as many state bytes (PluginBytes).
	Floor, ShapeFloor, PluginFloor                  time.Duration
	StateBytes, FloorBytes, ShapeBytes, PluginBytes int64
	// Anchor is the same plan, same directory, through the anchor provider (bench/anchor):
	// mosaic's schema and state, a provider that answers at once; AnchorProviderCPU and
	// AnchorTerraformCPU its provider's and Terraform's CPU.
	Anchor                                time.Duration
	AnchorProviderCPU, AnchorTerraformCPU time.Duration
}

// rttResult is a no-change plan of rttApps apps on loopback and across a simulated network.
type rttResult struct {
	Parallelism       int
	N                 int
	Loopback, Distant time.Duration
	RTT               time.Duration
	Requests, Minimum int
}

func (o op) total() int {
	t := 0
	for _, n := range o.Requests {
		t += n
	}
	return t
}

// numbers parses a comma-separated list of numbers of at least 2.
func numbers(flagName, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("bad -%s %q", flagName, list)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(sizeList, provider, wrapper, out string, parallelism int, platformList, workspaceSpec string) error {
	sizes, err := numbers("n", sizeList)
	if err != nil {
		return err
	}
	if err := checkTPVFlags(); err != nil {
		return err
	}
	platforms, err := numbers("platform", platformList)
	if err != nil {
		return err
	}
	var wsCount, wsApps int
	if workspaceSpec != "" {
		if _, err := fmt.Sscanf(workspaceSpec, "%dx%d", &wsCount, &wsApps); err != nil || wsCount < 1 || wsApps < 2 {
			return fmt.Errorf("bad -workspaces %q (want e.g. 5x1000)", workspaceSpec)
		}
	}
	provider, _ = filepath.Abs(provider)
	wrapper, _ = filepath.Abs(wrapper)
	if anchorBin != "" {
		anchorBin, _ = filepath.Abs(anchorBin)
	}
	for _, b := range []string{provider, wrapper} {
		if _, err := os.Stat(b); err != nil {
			return fmt.Errorf("%s: %w (run `make bench`, which builds it)", b, err)
		}
	}

	v, err := acctest.StartVault()
	if err != nil {
		return err
	}
	defer v.Stop()
	if err := v.SetupPlatform(context.Background()); err != nil {
		return err
	}

	work, err := os.MkdirTemp("", "mosaic-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// Terraform finds "the provider" in plugins/: rsswrap, which runs the real one.
	plugins := filepath.Join(work, "plugins")
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		return err
	}
	if err := os.Symlink(wrapper, filepath.Join(plugins, "terraform-provider-mosaic")); err != nil {
		return err
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"mosaicstack/mosaic\" = %q\n  }\n  direct {}\n}\n", plugins)), 0o644); err != nil {
		return err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "TF_LOG=", "CHECKPOINT_DISABLE=1",
		"VAULT_ADDR="+v.Addr, "VAULT_TOKEN="+v.Token,
		"MOSAIC_BENCH_PROVIDER="+provider)

	var ops []op
	var variants []variant
	started := time.Now()
	for _, n := range sizes {
		dir := filepath.Join(work, fmt.Sprintf("n%d", n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		b := &bencher{dir: dir, env: env, audit: v.AuditFile, parallelism: parallelism, n: n}
		steps := []struct {
			name   string
			rev    int
			args   []string
			minimm int
		}{
			{"create", 1, []string{"apply", "-auto-approve"}, minCreate(n)},
			{"plan (no change)", 1, []string{"plan", "-detailed-exitcode"}, minRefresh(n)},
			{"plan -refresh=false", 1, []string{"plan", "-refresh=false", "-detailed-exitcode"}, 0},
			{"update 1 secret", 2, []string{"apply", "-auto-approve"}, minRefresh(n) + 1},
			{"destroy", 2, []string{"destroy", "-auto-approve"}, minRefresh(n) + minDelete(n)},
		}
		byteFloor := floor{name: "byte", body: byteFloorBody, dir: dir + "-byte-floor"}
		shapeFloor := floor{name: "shape", body: shapeFloorBody, dir: dir + "-shape-floor"}
		plugFloor := pluginFloor(dir+"-plugin-floor", anchorBin)
		for _, d := range []string{byteFloor.dir, shapeFloor.dir, plugFloor.dir} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
		for _, s := range steps {
			o, err := b.measure(s.name, s.rev, s.args, s.minimm)
			if err != nil {
				return fmt.Errorf("N=%d %s: %w", n, s.name, err)
			}
			if s.name == "create" {
				o.StateBytes = stateBytesPerApp(dir, n)
				size, err := fileSize(filepath.Join(dir, "terraform.tfstate"))
				if err != nil {
					return err
				}
				if byteFloor.pad, err = byteFloor.calibrate(work, env, n, size); err != nil {
					return fmt.Errorf("N=%d calibrating the byte floor: %w", n, err)
				}
				if anchorBin != "" {
					if plugFloor.pad, err = plugFloor.calibrate(work, env, n, size); err != nil {
						return fmt.Errorf("N=%d calibrating the plugin floor: %w", n, err)
					}
				}
			}
			if o.Floor, err = measureFloor(byteFloor, env, n, s.rev, parallelism, s.args); err != nil {
				return fmt.Errorf("N=%d %s: %w", n, s.name, err)
			}
			if anchorBin != "" {
				if o.PluginFloor, err = measureFloor(plugFloor, env, n, s.rev, parallelism, s.args); err != nil {
					return fmt.Errorf("N=%d %s: %w", n, s.name, err)
				}
			}
			if anchorBin != "" && strings.HasPrefix(s.name, "plan") {
				a, err := b.measureAnchor(anchorBin, s.name, s.args)
				if err != nil {
					return fmt.Errorf("N=%d %s through the anchor provider: %w", n, s.name, err)
				}
				o.Anchor, o.AnchorProviderCPU, o.AnchorTerraformCPU = a.Wall, a.ProviderCPU, a.TerraformCPU
				if s.name == "plan -refresh=false" && n == slices.Max(sizes) {
					if variants, err = b.measureVariants(s.name, s.args); err != nil {
						return fmt.Errorf("N=%d: %w", n, err)
					}
				}
			}
			if s.name == "destroy" || n > shapeMax {
				// The shape floor's destroy (its state is four times mosaic's) is left out, and
				// above -shape-max the whole shape floor: minutes at N=1000, and no goal refers to it.
			} else if o.ShapeFloor, err = measureFloor(shapeFloor, env, n, s.rev, parallelism, s.args); err != nil {
				return fmt.Errorf("N=%d %s: %w", n, s.name, err)
			}
			if s.name == "create" {
				o.FloorBytes = stateBytesPerApp(byteFloor.dir, n)
				o.PluginBytes = stateBytesPerApp(plugFloor.dir, n)
				if n <= shapeMax {
					o.ShapeBytes = stateBytesPerApp(shapeFloor.dir, n)
				}
			}
			ops = append(ops, o)
			fmt.Printf("N=%-5d %-19s %8.1fs (floor %.1fs, x%.2f; shape floor %.1fs; plugin floor %.1fs; anchor %.1fs)  %6.2f req/app (min %5.2f)  provider peak RSS %d MiB, CPU: provider %.1fs, terraform %.1fs\n",
				n, s.name, o.Wall.Seconds(), o.Floor.Seconds(), floorRatio(o), o.ShapeFloor.Seconds(), o.PluginFloor.Seconds(), o.Anchor.Seconds(), perApp(o.total(), n), perApp(o.Min, n), o.RSSKiB/1024, o.ProviderCPU.Seconds(), o.TerraformCPU.Seconds())
		}
		if left, err := leftovers(v); err != nil {
			return err
		} else if left != "" {
			return fmt.Errorf("N=%d: destroy left %s in Vault", n, left)
		}
	}
	var rtt []rttResult
	if len(sizes) > 0 {
		if rtt, err = measureRTT(work, env, v.Addr, v.AuditFile, []int{parallelism, 2 * parallelism}); err != nil {
			return err
		}
	}
	var ws *workspacesResult
	if wsCount > 0 {
		r, err := measureWorkspaces(work, env, v, wsCount, wsApps, parallelism)
		if err != nil {
			return err
		}
		ws = &r
	}
	var plats []platformResult
	for _, n := range platforms {
		p, err := measurePlatform(work, env, n, parallelism)
		if err != nil {
			return fmt.Errorf("platform of %d services: %w", n, err)
		}
		fmt.Printf("platform of %d services: apply %.1fs, plan %.1fs, plan -refresh=false %.1fs, provider peak RSS %d MiB %s\n", n, p.Apply.Seconds(), p.Plan.Seconds(), p.PlanNoRef.Seconds(), p.ProviderRSSKiB/1024, p.ApplyErr)
		plats = append(plats, p)
	}
	tpv, err := measureTPV(work, env, wrapper, parallelism)
	if err != nil {
		return err
	}
	report := render(ops, variants, rtt, time.Since(started), parallelism)
	var extra strings.Builder
	renderWorkspaces(&extra, ws)
	renderPlatform(&extra, plats)
	renderTPV(&extra, tpv)
	report += extra.String()
	if err := os.WriteFile(filepath.Join(filepath.Dir(out), "chart.svg"), []byte(chart(ops)), 0o644); err != nil {
		return err
	}
	fmt.Println()
	fmt.Print(report)
	if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
		return err
	}
	fmt.Printf("\nreport written to %s\n", out)
	for _, o := range ops {
		if o.Min > 0 && ratio(o) > 1.2 {
			return fmt.Errorf("N=%d %s: %d requests, %.2fx the minimum of %d (goal: at most 1.2x)", o.N, o.Name, o.total(), ratio(o), o.Min)
		}
	}
	return nil
}

// The minimum numbers of requests, for n apps of secretsPerApp secrets, even ones eso and odd
// ones direct-vault (docs/guides/performance.md explains them):
//   - create: one read of the policy (a create never takes over an existing one), k KV writes
//     and the policy (eso); + one read of the role, role, role-id, secret-id, bootstrap, and
//     the list of the role's secret_ids (one minted by an interrupted earlier apply, whose
//     answer was lost, would otherwise stay valid) (direct-vault);
//   - refresh: one read per object: k secrets + policy (eso); + role, the list of its
//     secret_ids (which answers for the current one too), bootstrap;
//   - destroy: one delete per object: k secrets + policy (eso); + role (its secret_ids go
//     with it) and bootstrap (direct-vault).
func split(n int) (eso, direct int) { return (n + 1) / 2, n / 2 }

func minCreate(n int) int {
	eso, direct := split(n)
	return eso*(secretsPerApp+2) + direct*(secretsPerApp+8)
}

func minRefresh(n int) int {
	eso, direct := split(n)
	return eso*(secretsPerApp+1) + direct*(secretsPerApp+4)
}

func minDelete(n int) int {
	eso, direct := split(n)
	return eso*(secretsPerApp+1) + direct*(secretsPerApp+3)
}

func perApp(total, n int) float64 { return float64(total) / float64(n) }

// ratio is the requests against the minimum; an operation whose minimum is none (a plan with
// -refresh=false) has 0.
func ratio(o op) float64 {
	if o.Min == 0 {
		return 0
	}
	return float64(o.total()) / float64(o.Min)
}

type bencher struct {
	dir, audit  string
	prefix      string // of the apps' names
	env         []string
	parallelism int
	n           int
	configure   func(rev int) error // writes main.tf; nil: config
}

// config writes main.tf for b.n apps; rev changes one secret of the first app.
func (b *bencher) config(rev int) error {
	var sb strings.Builder
	sb.WriteString("terraform {\n  required_providers {\n    mosaic = { source = \"mosaicstack/mosaic\" }\n  }\n}\n\nprovider \"mosaic\" {}\n\n")
	sb.WriteString(appLocals(b.prefix, b.n, rev))
	sb.WriteString(`
resource "mosaic_app_secrets" "app" {
  for_each    = local.apps
  environment = each.value.environment
  service     = each.key
  secrets = {
    "database/app" = { username = each.key, password = each.value.password, host = "db", port = "5432" }
    "oauth/google" = { client_id = "${each.key}-client", client_secret = "cs-${each.key}" }
    "jwt/signing"  = { private_key = "pk-${each.key}" }
  }
  access                     = each.value.access
  direct_vault_justification = each.value.access == "direct-vault" ? "DB secrets engine leases with a 15 minute TTL" : null
  delete_all_versions        = true # the bench checks that destroy leaves nothing
}
`)
	return os.WriteFile(filepath.Join(b.dir, "main.tf"), []byte(sb.String()), 0o644)
}

// appLocals is local.apps of n apps: environment, access and a password; rev changes the first
// app's password. The mosaic configuration and the floor both read it.
func appLocals(prefix string, n, rev int) string {
	var sb strings.Builder
	sb.WriteString("locals {\n  apps = {\n")
	envs := policy.Environments
	for i := range n {
		access := "eso"
		if i%2 == 1 {
			access = "direct-vault"
		}
		fmt.Fprintf(&sb, "    %sapp-%04d = { environment = %q, access = %q, password = \"pw-%d-%d\" }\n", prefix, i, envs[i%3], access, i, map[bool]int{true: rev, false: 1}[i == 0])
	}
	sb.WriteString("  }\n  mounts = {\n")
	for _, env := range policy.Environments {
		fmt.Fprintf(&sb, "    %s = %q\n", env, policy.MountOf(env))
	}
	sb.WriteString("  }\n}\n")
	return sb.String()
}

func (b *bencher) measure(name string, rev int, args []string, minimum int) (op, error) {
	write := b.config
	if b.configure != nil {
		write = b.configure
	}
	if err := write(rev); err != nil {
		return op{}, err
	}
	rss := filepath.Join(b.dir, rssFileName(name))
	_ = os.Remove(rss) // this command's provider processes only
	start, err := fileSize(b.audit)
	if err != nil {
		return op{}, err
	}
	run, err := b.terraform(args, "MOSAIC_BENCH_RSS="+rss)
	if err != nil {
		return op{}, err
	}
	reqs, err := countRequests(b.audit, start)
	if err != nil {
		return op{}, err
	}
	peak, cpu := providerUsage(rss)
	return op{N: b.n, Name: name, Wall: run.Wall, Requests: reqs, Min: minimum, RSSKiB: peak, ProviderCPU: cpu, TerraformCPU: run.TerraformCPU}, nil
}

// measureAnchor runs the command that measure ran last, on the same configuration and state,
// with the anchor provider in place of mosaic. It must plan no change either.
func (b *bencher) measureAnchor(anchor, name string, args []string) (op, error) {
	rss := filepath.Join(b.dir, rssFileName("anchor "+name))
	_ = os.Remove(rss)
	run, err := b.terraform(args, "MOSAIC_BENCH_RSS="+rss, "MOSAIC_BENCH_PROVIDER="+anchor)
	if err != nil {
		return op{}, err
	}
	peak, cpu := providerUsage(rss)
	return op{N: b.n, Name: name, Wall: run.Wall, RSSKiB: peak, ProviderCPU: cpu, TerraformCPU: run.TerraformCPU}, nil
}

// measureVariants runs the command through the anchor provider as served and with each of
// anchorVariants' schema edits, in two rounds over all of them (the faster run of each counts:
// the machine is shared, and the first runs after mosaic's are the slowest).
func (b *bencher) measureVariants(name string, args []string) ([]variant, error) {
	edits := []string{""}
	if anchorVariants != "" {
		edits = append(edits, strings.Split(anchorVariants, ";")...)
	}
	out := make([]variant, len(edits))
	for round := range 2 {
		for i, e := range edits {
			v := &out[i]
			v.N, v.Edits = b.n, e
			rss := filepath.Join(b.dir, rssFileName("variant "+name))
			_ = os.Remove(rss)
			run, err := b.terraform(args, "MOSAIC_BENCH_RSS="+rss, "MOSAIC_BENCH_PROVIDER="+anchorBin, "MOSAIC_ANCHOR_SCHEMA="+e)
			if err != nil {
				return nil, fmt.Errorf("%s through the anchor provider, schema edits %q: %w", name, e, err)
			}
			if v.Wall == 0 || run.Wall < v.Wall {
				v.Wall, v.TerraformCPU = run.Wall, run.TerraformCPU
				_, v.ProviderCPU = providerUsage(rss)
			}
			if round == 1 {
				fmt.Printf("N=%-5d %s through the anchor, schema edits %q: %.1fs, CPU: provider %.1fs, terraform %.1fs\n", b.n, name, e, v.Wall.Seconds(), v.ProviderCPU.Seconds(), v.TerraformCPU.Seconds())
			}
		}
	}
	return out, nil
}

// terraform runs the Terraform CLI in b.dir with args and b's settings, env added to the
// environment (a later value wins), and returns its wall time and CPU time.
func (b *bencher) terraform(args []string, env ...string) (op, error) {
	wall, cpu, err := timedTerraform(b.dir, append(slices.Clone(b.env), env...), b.parallelism, args)
	if err != nil {
		return op{}, err
	}
	return op{Wall: wall, TerraformCPU: cpu}, nil
}

// rssFileName is where rsswrap records the provider processes of one operation: one file per
// operation name ("plan (no change)" and "plan -refresh=false" must not share one).
func rssFileName(name string) string {
	return "rss-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name)
}

// countRequests classifies every request the audit log recorded after offset.
func countRequests(file string, offset int64) (map[string]int, error) {
	reqs, err := acctest.AuditRequests(file, offset)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, r := range reqs {
		counts[kind(r.Operation, r.Path)]++
	}
	return counts, nil
}

// kind names a request the way the report counts it.
func kind(operation, path string) string {
	switch operation {
	case "create", "update":
		operation = "write"
	}
	parts := strings.Split(path, "/")
	switch {
	case path == "auth/token/lookup-self":
		return "token lookup-self"
	case strings.HasPrefix(path, "sys/mounts/"):
		return "mount " + operation
	case strings.HasPrefix(path, "sys/policies/acl/"):
		return "policy " + operation
	case strings.HasPrefix(path, "auth/approle/role/"):
		switch {
		case len(parts) == 4:
			return "role " + operation
		case parts[4] == "role-id":
			return "role-id " + operation
		case parts[4] == "secret-id":
			return "secret-id " + operation
		case len(parts) > 5 && parts[4] == "secret-id-accessor":
			return "secret-id " + parts[5]
		}
	case policy.EnvironmentOfMount(parts[0]) != "" && len(parts) > 2:
		what := "kv"
		if strings.HasSuffix(parts[2], policy.BootstrapSuffix) {
			what = "bootstrap"
		}
		return what + " " + parts[1] + " " + operation
	}
	return "other " + operation + " " + path
}

// leftovers lists what a destroy left: secrets, app policies, AppRole roles.
func leftovers(v *acctest.Server) (string, error) {
	var left []string
	for _, env := range policy.Environments {
		s, err := v.Client.Logical().List(policy.MountOf(env) + "/metadata")
		if err != nil {
			return "", err
		}
		if s != nil && len(s.Data["keys"].([]any)) > 0 {
			left = append(left, fmt.Sprintf("secrets under %s/", policy.MountOf(env)))
		}
	}
	pols, err := v.Client.Sys().ListPolicies()
	if err != nil {
		return "", err
	}
	for _, p := range pols {
		if p != "default" && p != "root" {
			left = append(left, "policy "+p)
		}
	}
	s, err := v.Client.Logical().List("auth/approle/role")
	if err != nil {
		return "", err
	}
	if s != nil {
		left = append(left, fmt.Sprintf("%d AppRole roles", len(s.Data["keys"].([]any))))
	}
	return strings.Join(left, ", "), nil
}

func fileSize(p string) (int64, error) {
	st, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// providerUsage reads what rsswrap recorded: the largest peak RSS of the command's provider
// processes and their CPU time added up.
func providerUsage(file string) (peakKiB int64, cpu time.Duration) {
	b, _ := os.ReadFile(file)
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 {
			continue
		}
		if v, err := strconv.ParseInt(f[0], 10, 64); err == nil && v > peakKiB {
			peakKiB = v
		}
		if ms, err := strconv.ParseInt(f[1], 10, 64); err == nil {
			cpu += time.Duration(ms) * time.Millisecond
		}
	}
	return peakKiB, cpu
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

func floorRatio(o op) float64 {
	if o.Floor <= 0 {
		return 0
	}
	return o.Wall.Seconds() / o.Floor.Seconds()
}

func render(ops []op, variants []variant, rtts []rttResult, total time.Duration, parallelism int) string {
	var sb strings.Builder
	sb.WriteString("# mosaic_app_secrets benchmark\n\n")
	fmt.Fprintf(&sb, "Generated by `make bench` on %s, in %s.\n\n", time.Now().UTC().Format("2006-01-02"), total.Round(time.Second))
	sb.WriteString("## Machine\n\n")
	for _, l := range machine(parallelism) {
		fmt.Fprintf(&sb, "- %s\n", l)
	}
	sb.WriteString("\n## Results\n\n")
	fmt.Fprintf(&sb, "N apps, %d secrets each, even apps `eso` and odd apps `direct-vault`, over %s. ", secretsPerApp, strings.Join(mounts(), ", "))
	sb.WriteString("Requests are every request the Vault audit log recorded during the command (Terraform refreshes before it plans, so plan, update and destroy include a refresh of every app); ")
	sb.WriteString("the minimum is one request per object written, read or deleted (see the performance guide). Peak RSS is the largest provider process of the command; ")
	sb.WriteString("CPU is the time the provider processes and Terraform itself spent on the CPU (Vault's share is the rest).\n\n")
	sb.WriteString("| N | operation | wall time | ms/app | requests/app | minimum/app | ratio | provider peak RSS | provider CPU | Terraform CPU |\n")
	sb.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, o := range ops {
		r := "-"
		if o.Min > 0 {
			r = fmt.Sprintf("%.2fx", ratio(o))
		}
		fmt.Fprintf(&sb, "| %d | %s | %.1f s | %.1f | %.2f | %.2f | %s | %.0f MiB | %.1f s | %.1f s |\n", o.N, o.Name, o.Wall.Seconds(),
			float64(o.Wall.Milliseconds())/float64(o.N), perApp(o.total(), o.N), perApp(o.Min, o.N), r, float64(o.RSSKiB)/1024,
			o.ProviderCPU.Seconds(), o.TerraformCPU.Seconds())
	}
	sb.WriteString("\n## Against Terraform's own floor\n\n")
	sb.WriteString("The floors are the same operations on `terraform_data` resources (no provider, no Vault): what Terraform itself costs per resource. " +
		"The **byte floor**, which the goals are stated against, stores as many state bytes per instance as mosaic: its input is one string, " +
		"the app's password padded to a width calibrated after mosaic's create (two small applies measure the state's header and fixed bytes per instance; " +
		"`terraform_data` stores its input twice, as input and output). The **shape floor** has an input of the shape of an app's state " +
		"(paths, field names, versions, plain secret values, the rendered policy, the role's attributes); stored twice with its type, it is several times " +
		"mosaic's bytes, so it measures a heavier state than mosaic's. ![wall time against N](chart.svg)\n\n")
	sb.WriteString("| N | operation | mosaic | byte floor | mosaic / byte floor | shape floor | mosaic / shape floor | state per app (mosaic / byte floor / shape floor) |\n|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, o := range ops {
		state := ""
		if o.StateBytes > 0 {
			shapeBytes := "-"
			if o.ShapeBytes > 0 {
				shapeBytes = fmt.Sprintf("%d B", o.ShapeBytes)
			}
			state = fmt.Sprintf("%d B / %d B / %s", o.StateBytes, o.FloorBytes, shapeBytes)
		}
		shape := "| - | -"
		if o.ShapeFloor > 0 {
			shape = fmt.Sprintf("| %.1f s | %.2fx", o.ShapeFloor.Seconds(), o.Wall.Seconds()/o.ShapeFloor.Seconds())
		}
		fmt.Fprintf(&sb, "| %d | %s | %.1f s | %.1f s | %.2fx %s | %s |\n", o.N, o.Name, o.Wall.Seconds(), o.Floor.Seconds(), floorRatio(o), shape, state)
	}
	renderAnchor(&sb, ops)
	renderVariants(&sb, variants)
	if len(rtts) > 0 {
		renderRTT(&sb, rtts)
	}
	sb.WriteString("\n## Goals\n\n")
	for _, g := range goals(ops, rtts) {
		fmt.Fprintf(&sb, "- %s\n", g)
	}
	renderKinds(&sb, ops)
	return sb.String()
}

// renderAnchor compares mosaic with the plugin floor and the anchor provider.
func renderAnchor(sb *strings.Builder, ops []op) {
	var rows []op
	for _, o := range ops {
		if o.PluginFloor > 0 || o.Anchor > 0 {
			rows = append(rows, o)
		}
	}
	if len(rows) == 0 {
		return
	}
	sb.WriteString("\n## Against providers that cost nothing\n\n")
	sb.WriteString("Two more references, each run right after mosaic's command. The **plugin floor** is the byte floor's configuration " +
		"on `mosaic_bytes`, `terraform_data` served by a provider plugin that answers at once (`bench/anchor`), with as many state bytes: " +
		"plugin floor / byte floor is what the plugin protocol costs Terraform (the calls per instance, their encoding, the provider process). " +
		"The **anchor** runs mosaic's plans, in mosaic's directory on mosaic's state, through the same plugin serving mosaic's schema and " +
		"answering per instance at once: a state upgrade that only decodes, a validation and a refresh that do nothing, a plan that returns " +
		"Terraform's proposal (it cannot apply, so only the plans). It is the lowest any provider of mosaic's interface (an app's values, " +
		"their types, the sensitive `secrets`) could reach: anchor / byte floor is what Terraform itself spends on that interface, " +
		"mosaic / anchor what mosaic's provider and its Vault requests add.\n\n")
	sb.WriteString("| N | operation | mosaic | anchor | plugin floor | byte floor | plugin floor / byte floor | anchor / byte floor | mosaic / anchor | CPU, provider + Terraform: mosaic | anchor |\n")
	sb.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	secs := func(d time.Duration) string {
		if d <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	times := func(a, b time.Duration) string {
		if a <= 0 || b <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2fx", a.Seconds()/b.Seconds())
	}
	for _, o := range rows {
		anchorCPU := "-"
		if o.Anchor > 0 {
			anchorCPU = fmt.Sprintf("%.1f + %.1f s", o.AnchorProviderCPU.Seconds(), o.AnchorTerraformCPU.Seconds())
		}
		fmt.Fprintf(sb, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %.1f + %.1f s | %s |\n", o.N, o.Name,
			secs(o.Wall), secs(o.Anchor), secs(o.PluginFloor), secs(o.Floor), times(o.PluginFloor, o.Floor), times(o.Anchor, o.Floor), times(o.Wall, o.Anchor),
			o.ProviderCPU.Seconds(), o.TerraformCPU.Seconds(), anchorCPU)
	}
	for _, o := range rows {
		if o.PluginBytes > 0 {
			fmt.Fprintf(sb, "\nN=%d: state per app, mosaic %d B, plugin floor %d B, byte floor %d B.\n", o.N, o.StateBytes, o.PluginBytes, o.FloorBytes)
		}
	}
}

// renderVariants says what each part of the interface costs Terraform.
func renderVariants(sb *strings.Builder, vs []variant) {
	if len(vs) < 2 {
		return
	}
	base := vs[0]
	fmt.Fprintf(sb, "\n### What each part of the interface costs Terraform\n\n"+
		"N=%d, `plan -refresh=false` through the anchor provider with its schema edited (`MOSAIC_ANCHOR_SCHEMA`): `-x` leaves attribute x out "+
		"(the same state loads without it), `x:plain` serves a nested attribute as the plain type of the same values, `x:nowriteonly` "+
		"drops the write-only mark. Each the faster of two runs, made in two rounds over all the schemas.\n\n", base.N)
	sb.WriteString("| schema | wall time | Terraform CPU | provider CPU | Terraform CPU saved |\n|---|---:|---:|---:|---:|\n")
	for _, v := range vs {
		name := "as served"
		if v.Edits != "" {
			name = "`" + v.Edits + "`"
		}
		fmt.Fprintf(sb, "| %s | %.1f s | %.1f s | %.1f s | %+.0f%% |\n", name, v.Wall.Seconds(), v.TerraformCPU.Seconds(), v.ProviderCPU.Seconds(),
			100*(base.TerraformCPU.Seconds()-v.TerraformCPU.Seconds())/max(base.TerraformCPU.Seconds(), 0.001))
	}
}

func renderRTT(sb *strings.Builder, rtts []rttResult) {
	rtt := rtts[0]
	sb.WriteString("\n## Across a network\n\n")
	fmt.Fprintf(sb, "A no-change plan of %d apps, on loopback and through a proxy that adds %s to every request (a Vault in another zone). "+
		"An app's refresh makes all its reads at once (at most %d per app, %d in flight over all apps), so it pays one round trip; "+
		"Terraform refreshes -parallelism apps at a time, so the network adds at least N / parallelism round trips.\n\n",
		rtt.N, rtt.RTT, appsync.PerResourceParallelism, vault.DefaultMaxConcurrentRequests)
	fmt.Fprintf(sb, "| N | -parallelism | loopback | %s round trip | ratio | N / parallelism x RTT | requests/app |\n|---:|---:|---:|---:|---:|---:|---:|\n", rtt.RTT)
	for _, r := range rtts {
		fmt.Fprintf(sb, "| %d | %d | %.1f s | %.1f s | %.2fx | %.1f s | %.2f (min %.2f) |\n", r.N, r.Parallelism, r.Loopback.Seconds(), r.Distant.Seconds(),
			r.Distant.Seconds()/max(r.Loopback.Seconds(), 0.001), float64(r.N)/float64(r.Parallelism)*r.RTT.Seconds(), perApp(r.Requests, r.N), perApp(r.Minimum, r.N))
	}
}

func renderKinds(sb *strings.Builder, ops []op) {
	sb.WriteString("\n## Requests per app by kind\n\n")
	kinds := map[string]bool{}
	for _, o := range ops {
		for k := range o.Requests {
			kinds[k] = true
		}
	}
	names := slices.Sorted(maps.Keys(kinds))
	sb.WriteString("| N | operation |")
	for _, k := range names {
		fmt.Fprintf(sb, " %s |", k)
	}
	sb.WriteString("\n|---:|---|" + strings.Repeat("---:|", len(names)) + "\n")
	for _, o := range ops {
		fmt.Fprintf(sb, "| %d | %s |", o.N, o.Name)
		for _, k := range names {
			if c := o.Requests[k]; c > 0 {
				fmt.Fprintf(sb, " %.2f |", perApp(c, o.N))
			} else {
				sb.WriteString(" |")
			}
		}
		sb.WriteString("\n")
	}
}

func machine(parallelism int) []string {
	var lines []string
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				lines = append(lines, "CPU: "+strings.TrimSpace(strings.SplitN(l, ":", 2)[1])+fmt.Sprintf(", %d cores visible to Go", runtime.NumCPU()))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			kb, _ := strconv.Atoi(f[1])
			lines = append(lines, fmt.Sprintf("Memory: %.1f GiB", float64(kb)/1024/1024))
		}
	}
	if out, err := exec.Command("uname", "-srm").Output(); err == nil {
		lines = append(lines, "OS: "+strings.TrimSpace(string(out)))
	}
	lines = append(lines, "Go: "+runtime.Version())
	if out, err := exec.Command("terraform", "version").Output(); err == nil {
		lines = append(lines, "Terraform: "+strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0]))
	}
	if bin, err := acctest.VaultBinary(); err == nil {
		if out, err := exec.Command(bin, "version").Output(); err == nil {
			lines = append(lines, "Vault: "+strings.TrimSpace(string(out))+" (dev server, in-memory storage, file audit device on)")
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		lines = append(lines, fmt.Sprintf("Load average when the report was written: %s (the machine is shared: wall times vary between runs; the ratios compare runs made minutes apart)", strings.Join(strings.Fields(string(b))[:3], " ")))
	}
	lines = append(lines, fmt.Sprintf("terraform -parallelism=%d", parallelism))
	return lines
}

func mounts() []string {
	var m []string
	for _, env := range policy.Environments {
		m = append(m, policy.MountOf(env))
	}
	return m
}
