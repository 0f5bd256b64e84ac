package main

import (
	"context"
	"encoding/json"
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
	Policies                []policySize // the CI writer policies, largest first
	ACLRequest, SmallACLReq time.Duration
	ACLPolicy, SmallPolicy  string
}

type policySize struct {
	Name         string
	Bytes        int // the policy text
	RequestBytes int // the JSON body that writes it
}

func platformConfig(dir string, services int) error {
	// A literal list: Terraform's range() stops at 1024 values.
	names := make([]string, services)
	for i := range names {
		names[i] = fmt.Sprintf("%q", fmt.Sprintf("svc-%04d", i))
	}
	cfg := fmt.Sprintf(`terraform {
  required_providers {
    mosaic = { source = "mosaicstack/mosaic" }
  }
}

provider "mosaic" {}

locals {
  services = [%s]
}

resource "mosaic_platform" "this" {
  services = { dev = local.services, staging = local.services, prod = local.services }
}
`, strings.Join(names, ", "))
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
	if res.Policies, err = ciWriterPolicies(v); err != nil {
		return res, err
	}
	if len(res.Policies) > 0 {
		res.ACLPolicy = res.Policies[0].Name
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

// ciWriterPolicies reads every CI writer policy back from Vault, largest first.
func ciWriterPolicies(v *acctest.Server) ([]policySize, error) {
	names, err := v.Client.Sys().ListPolicies()
	if err != nil {
		return nil, err
	}
	var out []policySize
	for _, name := range names {
		if !strings.Contains(name, "ci-writer") {
			continue
		}
		text, err := v.Client.Sys().GetPolicy(name)
		if err != nil {
			return nil, err
		}
		body, _ := json.Marshal(map[string]string{"policy": text})
		out = append(out, policySize{Name: name, Bytes: len(text), RequestBytes: len(body)})
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
	sb.WriteString("One `mosaic_platform` whose services are listed in each of the three environments, on a Vault of its own. " +
		"Each CI writer policy is read back from Vault; its request is the JSON body that writes it, against the listener's " +
		"`max_request_size` (default 32 MiB). The request cost is the mean time of one KV read by a token holding only that " +
		"policy, against one holding only the small ESO reader policy: Vault evaluates a token's ACL, built from its policies' rules, on every request.\n\n")
	for _, g := range platformGoals(ps) {
		fmt.Fprintf(sb, "- %s\n", g)
	}
	sb.WriteString("\n| services per environment | apply | no-change plan | plan -refresh=false | state | provider peak RSS | largest CI writer policy | its request / 32 MiB | request under it | under eso-reader |\n")
	sb.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range ps {
		if p.ApplyErr != "" {
			fmt.Fprintf(sb, "| %d | failed: %s | | | | | | | | |\n", p.Services, strings.ReplaceAll(strings.ReplaceAll(p.ApplyErr, "\n", " "), "|", "/"))
			continue
		}
		largest := policySize{}
		if len(p.Policies) > 0 {
			largest = p.Policies[0]
		}
		fmt.Fprintf(sb, "| %d | %.1f s | %.1f s | %.1f s | %.1f MiB | %d MiB | %s: %.2f MiB | %.1f%% | %.2f ms | %.2f ms |\n", p.Services,
			p.Apply.Seconds(), p.Plan.Seconds(), p.PlanNoRef.Seconds(), float64(p.StateBytes)/(1<<20), p.ProviderRSSKiB/1024,
			largest.Name, float64(largest.Bytes)/(1<<20), 100*float64(largest.RequestBytes)/vaultMaxRequestSize,
			float64(p.ACLRequest.Microseconds())/1000, float64(p.SmallACLReq.Microseconds())/1000)
	}
}

// platformGoals: a platform of 5,000 services plans in under 30 s and applies in under 2 min,
// every policy within Vault's request size limit.
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
			fmt.Sprintf("5,000-service platform apply < 2 min: %.1f s, %s", p.Apply.Seconds(), metIf(p.Apply < 2*time.Minute)))
		if len(p.Policies) > 0 {
			out = append(out, fmt.Sprintf("5,000-service platform: largest CI writer policy request within max_request_size: %.1f%% of 32 MiB, %s",
				100*float64(p.Policies[0].RequestBytes)/vaultMaxRequestSize, metIf(p.Policies[0].RequestBytes < vaultMaxRequestSize)))
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
