package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// A platform of many services: one mosaic_platform whose services are listed in each of the
// three environments, on a Vault of its own. It measures what the size of an organisation
// costs: plan and apply time, the state, the bytes of each CI writer policy against Vault's
// request size limit, and what a request costs Vault under that policy (Vault builds a token's
// ACL from its policies' rules).

// vaultMaxRequestSize is the listener's max_request_size default: 32 MiB.
const vaultMaxRequestSize = 32 << 20

type platformResult struct {
	Services                int
	Apply, Plan, PlanNoRef  time.Duration
	ApplyErr                string
	StateBytes              int64
	ProviderRSSKiB          int64
	ProviderCPU             time.Duration
	StepCPU                 map[string]time.Duration // the provider's CPU in each step (apply, plan, plan-norefresh)
	Policies                []policySize             // every policy the platform wrote, largest first
	Load                    string                   // /proc/loadavg's three figures when the scenario ended
	ACLRequest, SmallACLReq time.Duration
	ACLPolicy, SmallPolicy  string
}

type policySize struct {
	Name         string
	Bytes        int // the policy text
	JSONBytes    int // the policy as one JSON string, quotes left out (max_json_string_value_length)
	RequestBytes int // the JSON body that writes it
}

// Pipelines and namespaces of the platform scenario: each CI pipeline deploys
// servicesPerPipeline services, each namespace runs servicesPerNamespace.
const (
	servicesPerPipeline  = 10
	servicesPerNamespace = 50
	// envWritersUpTo: up to this many services an environment's CI writer ci-writer-{env} is
	// written too; past it (about 440 services fill Vault's 1 MiB per JSON string) only the
	// pipelines' own policies are.
	envWritersUpTo = 400
)

// platformConfig is a platform of n services in each of the three environments, as a large
// organisation declares it: one CI identity per pipeline of servicesPerPipeline services (so
// one role and policy ci-writer-{env}-{pipeline} each), one ESO identity per namespace of
// servicesPerNamespace services (each environment's cluster an issuer of its own).
func platformConfig(dir string, services int) error {
	// A literal list: Terraform's range() stops at 1024 values.
	names := make([]string, services)
	for i := range names {
		names[i] = fmt.Sprintf("%q", fmt.Sprintf("svc-%04d", i))
	}
	var keys [4]string // github, then one cluster per environment
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			return err
		}
		keys[i] = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}
	cfg := fmt.Sprintf(`terraform {
  required_providers {
    mosaic = { source = "mosaicstack/mosaic" }
  }
}

provider "mosaic" {}

locals {
  envs     = ["dev", "staging", "prod"]
  services = [%s]
  pipelines = { for i in range(ceil(length(local.services) / %d)) :
    format("p-%%04d", i) => slice(local.services, i * %d, min(length(local.services), (i + 1) * %d)) }
  namespaces = { for i in range(ceil(length(local.services) / %d)) :
    format("ns-%%03d", i) => slice(local.services, i * %d, min(length(local.services), (i + 1) * %d)) }
}

resource "mosaic_platform" "this" {
  environment_ci_writers = %t
  services               = { for e in local.envs : e => local.services }
  issuers = {
    github          = { bound_issuer = "https://token.actions.githubusercontent.com", jwt_validation_pubkeys = [%q] }
    cluster-dev     = { bound_issuer = "https://kubernetes.dev.example", jwt_validation_pubkeys = [%q], environments = ["dev"] }
    cluster-staging = { bound_issuer = "https://kubernetes.staging.example", jwt_validation_pubkeys = [%q], environments = ["staging"] }
    cluster-prod    = { bound_issuer = "https://kubernetes.prod.example", jwt_validation_pubkeys = [%q], environments = ["prod"] }
  }
  ci_identities = merge([for e in local.envs : { for p, s in local.pipelines : "${e}/${p}" => {
    issuer = "github", services = s, bound_audiences = ["https://github.com/acme"], bound_subject = "repo:acme/${p}:environment:${e}"
  } }]...)
  eso_identities = merge([for e in local.envs : { for n, s in local.namespaces : "${e}/${n}" => {
    issuer = "cluster-${e}", services = s, bound_audiences = ["vault"]
  } }]...)
}
`, strings.Join(names, ", "), servicesPerPipeline, servicesPerPipeline, servicesPerPipeline,
		servicesPerNamespace, servicesPerNamespace, servicesPerNamespace, services <= envWritersUpTo, keys[0], keys[1], keys[2], keys[3])
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644)
}

// measurePlatform applies a platform of n services on a Vault of its own, plans it again
// (refresh and -refresh=false), and measures the CI writer policies it wrote.
func measurePlatform(work string, env []string, n, parallelism int) (platformResult, error) {
	res := platformResult{Services: n}
	v, err := acctest.StartVault()
	if err != nil {
		return res, err
	}
	defer v.Stop()
	dir := filepath.Join(work, fmt.Sprintf("platform-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	if err := platformConfig(dir, n); err != nil {
		return res, err
	}
	env = append(slices.Clone(env), "VAULT_ADDR="+v.Addr, "VAULT_TOKEN="+v.Token)
	run := func(step string, args ...string) (time.Duration, error) {
		rss := filepath.Join(dir, "rss-"+step)
		t0 := time.Now()
		err := terraform(dir, append(slices.Clone(env), "MOSAIC_BENCH_RSS="+rss), parallelism, args)
		peak, cpu := providerUsage(rss)
		res.ProviderRSSKiB, res.ProviderCPU = max(res.ProviderRSSKiB, peak), res.ProviderCPU+cpu
		if res.StepCPU == nil {
			res.StepCPU = map[string]time.Duration{}
		}
		res.StepCPU[step] = cpu
		return time.Since(t0), err
	}
	if res.Apply, err = run("apply", "apply", "-auto-approve"); err != nil {
		// Too large for Vault is a result, not a failure of the benchmark.
		res.ApplyErr = tail(err.Error(), 8)
		return res, nil
	}
	res.StateBytes, _ = fileSize(filepath.Join(dir, "terraform.tfstate"))
	if res.Plan, err = run("plan", "plan", "-detailed-exitcode"); err != nil {
		return res, err
	}
	if res.PlanNoRef, err = run("plan-norefresh", "plan", "-refresh=false", "-detailed-exitcode"); err != nil {
		return res, err
	}
	if res.Policies, err = platformPolicies(v); err != nil {
		return res, err
	}
	res.Load = loadAverage()
	pipeline := func(p policySize) bool { // a pipeline's CI writer, not an environment's
		return strings.HasPrefix(p.Name, "ci-writer-") && !slices.ContainsFunc(policy.Environments, func(e string) bool { return p.Name == policy.CIWriterPolicyName(e) })
	}
	if i := slices.IndexFunc(res.Policies, pipeline); i >= 0 {
		res.ACLPolicy = res.Policies[i].Name
		res.SmallPolicy = policy.ESOReaderPolicyName("prod")
		if res.ACLRequest, err = requestCost(v, res.ACLPolicy); err != nil {
			return res, err
		}
		if res.SmallACLReq, err = requestCost(v, res.SmallPolicy); err != nil {
			return res, err
		}
	}
	return res, nil
}

// platformPolicies reads every policy the platform wrote back from Vault, largest first.
func platformPolicies(v *acctest.Server) ([]policySize, error) {
	names, err := v.Client.Sys().ListPolicies()
	if err != nil {
		return nil, err
	}
	var out []policySize
	for _, name := range names {
		if !strings.HasPrefix(name, "ci-writer") && !strings.HasPrefix(name, "eso-reader") {
			continue
		}
		text, err := v.Client.Sys().GetPolicy(name)
		if err != nil {
			return nil, err
		}
		body, _ := json.Marshal(map[string]string{"policy": text})
		str, _ := json.Marshal(text)
		out = append(out, policySize{Name: name, Bytes: len(text), JSONBytes: len(str) - 2, RequestBytes: len(body)})
	}
	slices.SortFunc(out, func(a, b policySize) int { return b.Bytes - a.Bytes })
	return out, nil
}

// requestCost is the mean time of one request by a token that holds only the named policy (a
// read of a path the policy covers or denies; Vault evaluates the token's ACL either way).
func requestCost(v *acctest.Server, policyName string) (time.Duration, error) {
	ctx := context.Background()
	tok, err := v.Client.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{policyName}, NoDefaultPolicy: true, TTL: "10m"})
	if err != nil {
		return 0, err
	}
	c, err := v.Client.Clone()
	if err != nil {
		return 0, err
	}
	c.SetToken(tok.Auth.ClientToken)
	const requests = 50
	t0 := time.Now()
	for range requests {
		// A denied or missing path is an error; the cost is the ACL evaluation either way.
		_, _ = c.Logical().ReadWithContext(ctx, policy.MountOf("prod")+"/metadata/svc-0000/database/app")
	}
	return time.Since(t0) / requests, nil
}

func renderPlatform(sb *strings.Builder, ps []platformResult) {
	if len(ps) == 0 {
		return
	}
	sb.WriteString("\n## A platform of many services\n\n")
	fmt.Fprintf(sb, "One `mosaic_platform` with N services in each of the three environments, on a Vault of its own: one CI identity "+
		"(JWT role and policy `ci-writer-{env}-{pipeline}`) per pipeline of %d services and one ESO identity (`eso-reader-{env}-{namespace}`) "+
		"per namespace of %d, so 3 x N/%d pipeline and 3 x N/%d namespace roles and policies; `environment_ci_writers` is false past %d services "+
		"(no environment-wide `ci-writer-{env}`). Each policy is read back from Vault: its size as one JSON string against the listener's "+
		"`max_json_string_value_length` (1 MiB), its request against `max_request_size` (32 MiB). The request cost is the mean time of one KV read "+
		"by a token holding only the largest pipeline's CI writer policy, against one holding only the small ESO reader policy: Vault evaluates a token's ACL, built "+
		"from its policies' rules, on every request.\n\n", servicesPerPipeline, servicesPerNamespace, servicesPerPipeline, servicesPerNamespace, envWritersUpTo)
	for _, g := range platformGoals(ps) {
		fmt.Fprintf(sb, "- %s\n", g)
	}
	sb.WriteString("\n| services per environment | policies | apply | no-change plan | plan -refresh=false | state | provider peak RSS | largest policy as sent / 1 MiB | its request / 32 MiB | request under the largest pipeline CI writer | under eso-reader | load average |\n")
	sb.WriteString("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|\n")
	cpu := func(p platformResult, step string) string {
		return fmt.Sprintf(" (provider CPU %.0f s)", p.StepCPU[step].Seconds())
	}
	for _, p := range ps {
		if p.ApplyErr != "" {
			fmt.Fprintf(sb, "| %d | | failed: %s | | | | | | | | | |\n", p.Services, strings.ReplaceAll(strings.ReplaceAll(p.ApplyErr, "\n", " "), "|", "/"))
			continue
		}
		largest := policySize{}
		if len(p.Policies) > 0 {
			largest = p.Policies[0]
		}
		fmt.Fprintf(sb, "| %d | %d | %.1f s%s | %.1f s%s | %.1f s%s | %.1f MiB | %d MiB | %s: %d KiB, %.1f%% | %.2f%% | %s: %.2f ms | %.2f ms | %s |\n", p.Services, len(p.Policies),
			p.Apply.Seconds(), cpu(p, "apply"), p.Plan.Seconds(), cpu(p, "plan"), p.PlanNoRef.Seconds(), cpu(p, "plan-norefresh"), float64(p.StateBytes)/(1<<20), p.ProviderRSSKiB/1024,
			largest.Name, largest.JSONBytes>>10, 100*float64(largest.JSONBytes)/policy.MaxPolicyBytes, 100*float64(largest.RequestBytes)/vaultMaxRequestSize,
			p.ACLPolicy, float64(p.ACLRequest.Microseconds())/1000, float64(p.SmallACLReq.Microseconds())/1000, p.Load)
	}
}

// platformGoals: a platform of 5,000 services plans in under 30 s and applies in under 2 min,
// every policy within Vault's limits (1 MiB per JSON string, 32 MiB per request).
func platformGoals(ps []platformResult) []string {
	var out []string
	for _, p := range ps {
		if p.Services != 5000 {
			continue
		}
		if p.ApplyErr != "" {
			return append(out, "5,000-service platform: apply failed, NOT met")
		}
		out = append(out,
			fmt.Sprintf("5,000-service platform no-change plan < 30 s: %.1f s, %s", p.Plan.Seconds(), metIf(p.Plan < 30*time.Second)),
			fmt.Sprintf("5,000-service platform plan -refresh=false < 30 s: %.1f s, %s", p.PlanNoRef.Seconds(), metIf(p.PlanNoRef < 30*time.Second)),
			fmt.Sprintf("5,000-service platform apply < 2 min: %.1f s, %s", p.Apply.Seconds(), metIf(p.Apply < 2*time.Minute)))
		if len(p.Policies) > 0 {
			l := p.Policies[0]
			out = append(out, fmt.Sprintf("5,000-service platform: largest policy (%s) within max_json_string_value_length and max_request_size: %.1f%% of 1 MiB, %.2f%% of 32 MiB, %s",
				l.Name, 100*float64(l.JSONBytes)/policy.MaxPolicyBytes, 100*float64(l.RequestBytes)/vaultMaxRequestSize,
				metIf(l.JSONBytes <= policy.MaxPolicyBytes && l.RequestBytes < vaultMaxRequestSize)))
		}
	}
	return out
}

func metIf(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// loadAverage is /proc/loadavg's three figures ("" where there is none).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}
