package main

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Two floors: the same Terraform operations on terraform_data resources (built into Terraform,
// no provider, no Vault). mosaic / floor is what the provider adds on top of Terraform's own cost
// per resource.
//
//   - The byte floor (the one the goals are stated against) stores as many state bytes per
//     instance as mosaic does: its input is one string, the app's password padded to a width
//     found by calibration (calibrateByteFloor). terraform_data keeps its input twice (input and
//     output), each with its type, so a floor of the shape of an app's state stores about four
//     times mosaic's bytes: it measures Terraform's cost for a heavier state than mosaic's.
//   - The shape floor: input of the shape of a mosaic app's state (field names,
//     versions, the values of plain secrets, the rendered policy, the role's attributes), for
//     comparison; its bytes per instance are reported beside it.
//   - The plugin floor: the byte floor's configuration on mosaic_bytes, terraform_data served
//     by the anchor provider (bench/anchor) as a plugin that answers at once. Plugin floor /
//     byte floor is what the plugin protocol costs Terraform for as many state bytes.

// floor is one floor configuration: its name, the body of its resource block, and for the byte
// floor the width of the padding. A plugin floor's resource type is plugin's (served by the
// provider in env, which the CLI configuration's dev_overrides install); else terraform_data.
type floor struct {
	name   string
	body   func(pad int) string
	pad    int
	dir    string
	plugin string
	env    []string
}

// pluginFloor is the byte floor's configuration on mosaic_bytes through the anchor provider.
func pluginFloor(dir, anchor string) floor {
	return floor{name: "plugin", body: byteFloorBody, dir: dir, plugin: "mosaic_bytes", env: []string{"MOSAIC_BENCH_PROVIDER=" + anchor}}
}

func byteFloorBody(pad int) string {
	// format's width pads the number with zeros: no escaping, every byte counts once.
	return fmt.Sprintf("  input = format(\"%%s-%%0%dd\", each.value.password, 0)\n", pad)
}

// config writes main.tf of the floor for n apps in dir; rev changes the first app's value. The
// configuration is the benchmark's own (the same locals).
func (f floor) config(dir string, n, rev int) error {
	var sb strings.Builder
	resource := "terraform_data"
	if f.plugin != "" {
		resource = f.plugin
		sb.WriteString("terraform {\n  required_providers {\n    mosaic = { source = \"mosaicstack/mosaic\" }\n  }\n}\n\n")
	}
	sb.WriteString(appLocals("", n, rev))
	fmt.Fprintf(&sb, "\nresource %q \"app\" {\n  for_each = local.apps\n%s}\n", resource, f.body(f.pad))
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(sb.String()), 0o644)
}

// shapeFloorBody is an input of the shape and size of a mosaic app's state.
func shapeFloorBody(int) string {
	return fmt.Sprintf(`  input = {
    id                  = "${local.mounts[each.value.environment]}/${each.key}"
    environment         = each.value.environment
    service             = each.key
    policy_name         = "${each.key}-${each.value.environment}"
    policy              = format("# Managed by terraform-provider-mosaic: app %%q in %%s. Do not edit by hand.\n# Read-only access to the app's own secrets; nothing else.\n\npath \"%%s/data/%%s/*\" {\n  capabilities = [\"read\"]\n}\n\npath \"%%s/metadata/%%s/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n", each.key, each.value.environment, local.mounts[each.value.environment], each.key, local.mounts[each.value.environment], each.key)
    secrets = {
      "database/app" = { username = each.key, password = each.value.password, host = "db", port = "5432" }
      "oauth/google" = { client_id = "${each.key}-client", client_secret = "cs-${each.key}" }
      "jwt/signing"  = { private_key = "pk-${each.key}" }
    }
    field_names = { "database/app" = ["host", "password", "port", "username"], "oauth/google" = ["client_id", "client_secret"], "jwt/signing" = ["private_key"] }
    versions    = { "database/app" = each.value.password == "pw-0-1" ? 1 : 2, "oauth/google" = 1, "jwt/signing" = 1 }
    access                     = each.value.access
    direct_vault_justification = each.value.access == "direct-vault" ? "DB secrets engine leases with a 15 minute TTL" : null
    role_name                  = each.value.access == "direct-vault" ? "${each.key}-${each.value.environment}" : null
    bootstrap_path             = each.value.access == "direct-vault" ? "${local.mounts[each.value.environment]}/${each.key}%s/approle/credentials" : null
    role_id                    = each.value.access == "direct-vault" ? "0b5a7c1e-1111-2222-3333-${substr(sha1(each.key), 0, 12)}" : null
    secret_id_accessor         = each.value.access == "direct-vault" ? "9f8e7d6c-aaaa-bbbb-cccc-${substr(sha1(each.key), 12, 12)}" : null
    approle                    = each.value.access == "direct-vault" ? { token_ttl = "1h", token_max_ttl = "4h", secret_id_ttl = "0", secret_id_num_uses = 0, token_bound_cidrs = [], secret_id_bound_cidrs = [] } : null
    extra_read_paths           = []
    external_missing           = "warning"
    delete_all_versions        = true
  }
`, policy.BootstrapSuffix)
}

// measureFloor runs one Terraform command on a floor configuration and returns its wall time.
func measureFloor(f floor, env []string, n, rev, parallelism int, args []string) (time.Duration, error) {
	if err := f.config(f.dir, n, rev); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := terraform(f.dir, append(slices.Clone(env), f.env...), parallelism, args); err != nil {
		return 0, fmt.Errorf("%s floor: %w", f.name, err)
	}
	return time.Since(t0), nil
}

func terraform(dir string, env []string, parallelism int, args []string) error {
	_, _, err := timedTerraform(dir, env, parallelism, args)
	return err
}

// timedTerraform runs the Terraform CLI in dir with args and env, and returns its wall time and
// its own CPU time (user and system; the provider processes it starts are not counted).
func timedTerraform(dir string, env []string, parallelism int, args []string) (wall, cpu time.Duration, err error) {
	args = append(slices.Clone(args), "-no-color", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism))
	cmd := exec.Command("terraform", args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 40))
	}
	return time.Since(t0), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// calibrate finds the padding width at which n instances of the byte floor f (byte or plugin)
// make a state file of target bytes. A state file is a header plus, per instance, a fixed part
// and the input twice (input and output): size(n, pad) = h + n*(a + 2*pad). Two small applies
// measure h and a.
func (f floor) calibrate(work string, env []string, n int, target int64) (int, error) {
	f.pad = 1
	size := func(k int) (int64, error) {
		dir := filepath.Join(work, fmt.Sprintf("calibrate-%s-%d", f.name, k))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		if err := f.config(dir, k, 1); err != nil {
			return 0, err
		}
		if err := terraform(dir, append(slices.Clone(env), f.env...), 10, []string{"apply", "-auto-approve"}); err != nil {
			return 0, err
		}
		return fileSize(filepath.Join(dir, "terraform.tfstate"))
	}
	s2, err := size(2)
	if err != nil {
		return 0, err
	}
	s4, err := size(4)
	if err != nil {
		return 0, err
	}
	perInstance := (s4 - s2) / 2 // a + 2*1
	header := s2 - 2*perInstance
	pad := (target - header - int64(n)*(perInstance-2)) / (2 * int64(n))
	return int(max(pad, 1)), nil
}

// stateBytesPerApp is the size of the state file divided by the number of apps.
func stateBytesPerApp(dir string, n int) int64 {
	st, err := os.Stat(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		return 0
	}
	return st.Size() / int64(n)
}

// delayProxy forwards to Vault after waiting rtt per request: Vault in another zone.
func delayProxy(target string, rtt time.Duration) (addr string, stop func(), err error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(rtt)
		rp.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 10 * time.Second}
	ln, err := netListen()
	if err != nil {
		return "", nil, err
	}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

const rttApps = 200

// measureRTT creates rttApps apps, plans them on loopback and through a delaying proxy at each
// -parallelism, and destroys them.
func measureRTT(work string, env []string, vaultAddr, audit string, parallelisms []int) ([]rttResult, error) {
	dir := filepath.Join(work, "rtt")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b := &bencher{dir: dir, env: env, audit: audit, parallelism: parallelisms[0], n: rttApps}
	if _, err := b.measure("create", 1, []string{"apply", "-auto-approve"}, minCreate(rttApps)); err != nil {
		return nil, err
	}
	proxy, stop, err := delayProxy(vaultAddr, 20*time.Millisecond)
	if err != nil {
		return nil, err
	}
	defer stop()
	var out []rttResult
	for _, p := range parallelisms {
		r := rttResult{Parallelism: p, N: rttApps, RTT: 20 * time.Millisecond, Minimum: minRefresh(rttApps)}
		b.parallelism, b.env = p, env
		loop, err := b.measure("plan", 1, []string{"plan", "-detailed-exitcode"}, r.Minimum)
		if err != nil {
			return nil, err
		}
		b.env = append(slices.Clone(env), "VAULT_ADDR="+proxy)
		far, err := b.measure("plan", 1, []string{"plan", "-detailed-exitcode"}, r.Minimum)
		if err != nil {
			return nil, err
		}
		r.Loopback, r.Distant, r.Requests = loop.Wall, far.Wall, far.total()
		fmt.Printf("N=%d no-change plan at -parallelism=%d: loopback %.1fs, %s round trip %.1fs (x%.2f)\n", rttApps, p, loop.Wall.Seconds(), r.RTT, far.Wall.Seconds(), far.Wall.Seconds()/loop.Wall.Seconds())
		out = append(out, r)
	}
	b.env, b.parallelism = env, parallelisms[0]
	if _, err := b.measure("destroy", 1, []string{"destroy", "-auto-approve"}, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// floorGoals are the goals at N=1000, as ratios to the byte floor measured in the same run.
var floorGoals = map[string]float64{"create": 1.2, "plan (no change)": 2.0, "plan -refresh=false": 1.5}

// goals reports the scale goals against the measurements.
func goals(ops []op, rtts []rttResult) []string {
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	var out []string
	var maxRSS int64
	for _, o := range ops {
		maxRSS = max(maxRSS, o.RSSKiB)
		if o.N != 1000 {
			continue
		}
		if goal, ok := floorGoals[o.Name]; ok {
			out = append(out, fmt.Sprintf("N=1000 %s <= %.1fx the byte floor: %.2fx, %s%s", o.Name, goal, floorRatio(o), met(floorRatio(o) <= goal), anchorContext(o)))
		}
	}
	for _, rtt := range rtts {
		far := rtt.Distant.Seconds() / max(rtt.Loopback.Seconds(), 0.001)
		out = append(out, fmt.Sprintf("N=%d no-change plan at a %s round trip within 1.15x of loopback, -parallelism=%d: %.2fx, %s", rtt.N, rtt.RTT, rtt.Parallelism, far, met(far <= 1.15)))
	}
	if len(ops) == 0 {
		return out
	}
	out = append(out, fmt.Sprintf("provider peak RSS < 150 MiB (the provider's 256 MiB memory limit, far above, does not bind): %d MiB, %s", maxRSS/1024, met(maxRSS < 150*1024)))
	worst := 0.0
	for _, o := range ops {
		if o.N >= 100 && o.Min > 0 {
			worst = max(worst, ratio(o))
		}
	}
	out = append(out, fmt.Sprintf("requests per app <= 1.02x the minimum (N >= 100): worst %.2fx, %s", worst, met(worst <= 1.02)))
	return out
}

// anchorContext says where the plugin floor and the anchor stand against the byte floor on o.
func anchorContext(o op) string {
	var parts []string
	if o.PluginFloor > 0 {
		parts = append(parts, fmt.Sprintf("the plugin floor %.2fx", o.PluginFloor.Seconds()/o.Floor.Seconds()))
	}
	if o.Anchor > 0 {
		parts = append(parts, fmt.Sprintf("the anchor, a provider of mosaic's interface that does nothing, %.2fx", o.Anchor.Seconds()/o.Floor.Seconds()))
	}
	if len(parts) == 0 || o.Floor <= 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

// chart draws wall time against N for mosaic and the floor (create and no-change plan), log N.
func chart(ops []op) string {
	const w, h, left, bottom, top, right = 640.0, 360.0, 60.0, 40.0, 30.0, 170.0
	var maxT float64
	ns := map[int]bool{}
	for _, o := range ops {
		maxT = max(maxT, o.Wall.Seconds(), o.Floor.Seconds())
		ns[o.N] = true
	}
	sizes := slices.Sorted(maps.Keys(ns))
	if len(sizes) == 0 || maxT == 0 {
		return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
	}
	lo, hi := math.Log10(float64(sizes[0])), math.Log10(float64(sizes[len(sizes)-1]))
	if hi == lo {
		hi = lo + 1
	}
	x := func(n int) float64 { return left + (math.Log10(float64(n))-lo)/(hi-lo)*(w-left-right) }
	y := func(t float64) float64 { return h - bottom - t/maxT*(h-bottom-top) }
	var sb strings.Builder
	fmt.Fprintf(&sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h)
	fmt.Fprintf(&sb, "<text x=\"%.0f\" y=\"18\">wall time (s) against N apps: mosaic and the terraform_data byte floor</text>\n", left)
	fmt.Fprintf(&sb, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(&sb, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", left, top, left, h-bottom)
	for _, n := range sizes {
		fmt.Fprintf(&sb, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>\n", x(n), h-bottom+16, n)
	}
	for i := 0; i <= 4; i++ {
		t := maxT * float64(i) / 4
		fmt.Fprintf(&sb, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n", left-6, y(t)+4, t)
	}
	series := []struct {
		name, op, color, dash string
		floor                 bool
	}{
		{"mosaic create", "create", "#c0392b", "", false}, {"byte floor create", "create", "#c0392b", "6,4", true},
		{"mosaic plan", "plan (no change)", "#2471a3", "", false}, {"byte floor plan", "plan (no change)", "#2471a3", "6,4", true},
	}
	for i, s := range series {
		var pts []string
		for _, o := range ops {
			if o.Name != s.op {
				continue
			}
			t := o.Wall.Seconds()
			if s.floor {
				t = o.Floor.Seconds()
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(o.N), y(t)))
		}
		fmt.Fprintf(&sb, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\" points=\"%s\"/>\n", s.color, s.dash, strings.Join(pts, " "))
		ly := top + 20 + float64(i)*18
		fmt.Fprintf(&sb, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%s\"/>\n", w-right+10, ly, w-right+40, ly, s.color, s.dash)
		fmt.Fprintf(&sb, "<text x=\"%.0f\" y=\"%.0f\">%s</text>\n", w-right+46, ly+4, s.name)
	}
	sb.WriteString("</svg>\n")
	return sb.String()
}
