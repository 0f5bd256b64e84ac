package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// The terraform-provider-vault configuration, evaluated with HCL itself (the same functions
// Terraform has for merge and jsonencode), writes per app what mosaic_app_secrets writes for a
// Direct-Vault app: the three secrets with the same paths and values, the same policy text, a
// role bound to that policy with the policy's default TTLs, a secret_id and the bootstrap entry:
// tpvResourcesPerApp instances per app.
func TestTPVConfig(t *testing.T) {
	const n = 4
	f, diags := hclsyntax.ParseConfig([]byte(tpvConfig(n)), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: map[string]function.Function{
		"merge": stdlib.MergeFunc, "jsonencode": stdlib.JSONEncodeFunc}}
	eval := func(ctx *hcl.EvalContext, body *hclsyntax.Body, name string) cty.Value {
		t.Helper()
		a, ok := body.Attributes[name]
		if !ok {
			t.Fatalf("no attribute %s", name)
		}
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", name, diags)
		}
		return v
	}
	locals := map[string]cty.Value{}
	resources := map[string]*hclsyntax.Body{}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		switch b.Type {
		case "locals":
			ctx.Variables["local"] = cty.ObjectVal(locals)
			for name := range b.Body.Attributes {
				locals[name] = eval(ctx, b.Body, name)
			}
		case "resource":
			resources[b.Labels[0]+"."+b.Labels[1]] = b.Body
		}
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)

	// for_each instances, by resource and instance key.
	each := map[string]map[string]*hcl.EvalContext{}
	total := 0
	for addr, body := range resources {
		each[addr] = map[string]*hcl.EvalContext{}
		for it := eval(ctx, body, "for_each").ElementIterator(); it.Next(); {
			k, v := it.Element()
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})}
			each[addr][k.AsString()] = c
			total++
		}
	}
	if total != tpvResourcesPerApp*n {
		t.Errorf("%d resource instances for %d apps, want %d per app", total, n, tpvResourcesPerApp)
	}
	for _, addr := range []string{"vault_policy.app", "vault_approle_auth_backend_role.app", "vault_approle_auth_backend_role_secret_id.app", "vault_kv_secret_v2.bootstrap"} {
		if len(each[addr]) != n {
			t.Errorf("%s: %d instances, want one per app (%d)", addr, len(each[addr]), n)
		}
	}

	policyNames := map[string]cty.Value{}
	for i := range n {
		svc, env := fmt.Sprintf("app-%04d", i), policy.Environments[i%3]
		c := each["vault_policy.app"][svc]
		if c == nil {
			t.Fatalf("no policy for %s", svc)
		}
		body := resources["vault_policy.app"]
		if got := eval(c, body, "name").AsString(); got != policy.PolicyName(env, svc) {
			t.Errorf("%s: policy name %q, want %q", svc, got, policy.PolicyName(env, svc))
		}
		if got, want := eval(c, body, "policy").AsString(), policy.AppPolicy(env, svc, nil); got != want {
			t.Errorf("%s: policy\n%s\nwant (mosaic's)\n%s", svc, got, want)
		}
		policyNames[svc] = cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(policy.PolicyName(env, svc))})

		c = each["vault_kv_secret_v2.bootstrap"][svc]
		body = resources["vault_kv_secret_v2.bootstrap"]
		if got := eval(c, body, "mount").AsString() + "/" + eval(c, body, "name").AsString(); got != policy.BootstrapPath(env, svc) {
			t.Errorf("%s: bootstrap at %s, want %s", svc, got, policy.BootstrapPath(env, svc))
		}
		wantSecrets := map[string]map[string]string{
			"database/app": {"username": svc, "password": fmt.Sprintf("pw-%d-1", i), "host": "db", "port": "5432"},
			"oauth/google": {"client_id": svc + "-client", "client_secret": "cs-" + svc},
			"jwt/signing":  {"private_key": "pk-" + svc},
		}
		body = resources["vault_kv_secret_v2.secret"]
		for p, want := range wantSecrets {
			c := each["vault_kv_secret_v2.secret"][svc+"/"+p]
			if c == nil {
				t.Errorf("%s: no secret %s", svc, p)
				continue
			}
			if got := eval(c, body, "mount").AsString() + "/" + eval(c, body, "name").AsString(); got != policy.MountOf(env)+"/"+svc+"/"+p {
				t.Errorf("%s: secret at %s", svc, got)
			}
			var got map[string]string
			if err := json.Unmarshal([]byte(eval(c, body, "data_json").AsString()), &got); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: data %v (%v), want %v", svc, p, got, err, want)
			}
			if !eval(c, body, "delete_all_versions").True() {
				t.Errorf("%s %s: delete_all_versions not set (destroy would leave versions)", svc, p)
			}
		}
	}

	// The role: bound to the app's policy alone, with the policy's default TTLs (1h, 4h, 0).
	ctx.Variables["vault_policy"] = cty.ObjectVal(map[string]cty.Value{"app": cty.ObjectVal(policyNames)})
	body := resources["vault_approle_auth_backend_role.app"]
	for svc, c := range each["vault_approle_auth_backend_role.app"] {
		name := policyNames[svc].GetAttr("name")
		if got := eval(c, body, "token_policies"); !got.Equals(cty.TupleVal([]cty.Value{name})).True() {
			t.Errorf("%s: token_policies %#v, want [%s]", svc, got, name.AsString())
		}
		for attr, want := range map[string]int64{"token_ttl": 3600, "token_max_ttl": 4 * 3600, "secret_id_ttl": 0, "secret_id_num_uses": 0} {
			if got, _ := eval(c, body, attr).AsBigFloat().Int64(); got != want {
				t.Errorf("%s: %s = %d, want %d", svc, attr, got, want)
			}
		}
		if got := eval(c, body, "backend").AsString(); got != policy.DefaultAppRoleMount {
			t.Errorf("%s: backend %q", svc, got)
		}
	}
}

// allDirectVault makes every app of the mosaic configuration Direct-Vault, and refuses a
// configuration that does not have the ESO apps it expects (a changed generator).
func TestAllDirectVault(t *testing.T) {
	const n = 5
	b := &bencher{dir: t.TempDir(), n: n}
	if err := b.config(1); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(b.dir, "main.tf")
	if err := allDirectVault(file, n); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Count(string(got), `access = "direct-vault"`); c != n || strings.Contains(string(got), `"eso"`) {
		t.Errorf("%d Direct-Vault apps of %d:\n%s", c, n, got)
	}
	if err := allDirectVault(file, n); err == nil {
		t.Error("a configuration without ESO apps was taken")
	}
}

// The goal lines: met at or under the bound (apply 0.05x, plan 0.1x), NOT met above it.
func TestTPVGoals(t *testing.T) {
	res := func(apply, plan float64) *tpvResult {
		r := &tpvResult{N: 200}
		for _, wall := range [][2]float64{{apply, 100}, {plan, 10}, {1, 1}} {
			r.Mosaic.Ops = append(r.Mosaic.Ops, op{Wall: time.Duration(wall[0] * float64(time.Second))})
			r.Vault.Ops = append(r.Vault.Ops, op{Wall: time.Duration(wall[1] * float64(time.Second))})
		}
		return r
	}
	for _, tc := range []struct {
		apply, plan float64
		want        [2]string
	}{
		{5, 1, [2]string{": met", ": met"}},
		{5.1, 1, [2]string{"NOT met", ": met"}},
		{4, 1.2, [2]string{": met", "NOT met"}},
	} {
		got := tpvGoals(res(tc.apply, tc.plan))
		for i, g := range got {
			if !strings.Contains(g, tc.want[i]) {
				t.Errorf("apply %.1f s, plan %.1f s against 100 s and 10 s: %q, want %q", tc.apply, tc.plan, g, tc.want[i])
			}
		}
	}
}
