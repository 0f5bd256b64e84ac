package appsync

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRefreshSeesDrift(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		drift   func(f *fakeVault, st *State)
		warning string
		// check what the refreshed state says, and that the next plan repairs it
		check func(t *testing.T, st *State, plan Plan)
	}{
		"no drift": {
			drift: func(*fakeVault, *State) {},
			check: func(t *testing.T, st *State, plan Plan) {
				if len(plan.Writes) > 0 || plan.Rotate || plan.NewRoleID {
					t.Errorf("plan %+v", plan)
				}
			},
		},
		"secret rewritten": {
			drift: func(f *fakeVault, _ *State) {
				f.put("secret-prod", "web/database/app", map[string]string{"username": "x", "password": "hand"})
			},
			warning: "Secret changed outside Terraform",
			check: func(t *testing.T, st *State, plan Plan) {
				if st.Versions["database/app"] != 2 || st.Secrets["database/app"]["password"] != "hand" || !plan.Writes["database/app"] {
					t.Errorf("versions %v, plan %+v", st.Versions, plan)
				}
			},
		},
		"secret soft-deleted": {
			drift:   func(f *fakeVault, _ *State) { _ = f.KVDelete(ctx, "secret-prod", "web/database/app") },
			warning: "was deleted or destroyed outside Terraform",
			check: func(t *testing.T, st *State, plan Plan) {
				if !plan.Writes["database/app"] || !slices.Contains(st.Private.Stale, "database/app") {
					t.Errorf("plan %+v, stale %v", plan, st.Private.Stale)
				}
			},
		},
		"secret purged": {
			drift:   func(f *fakeVault, _ *State) { delete(f.kv, "secret-prod/web/database/app") },
			warning: "no longer exists in Vault",
			check: func(t *testing.T, st *State, plan Plan) {
				if _, ok := st.Versions["database/app"]; ok || !plan.Writes["database/app"] {
					t.Errorf("versions %v, plan %+v", st.Versions, plan)
				}
			},
		},
		"policy edited": {
			drift:   func(f *fakeVault, _ *State) { f.policies["web-prod"] = `path "*" { capabilities = ["sudo"] }` },
			warning: "Policy changed outside Terraform",
			check: func(t *testing.T, st *State, _ Plan) {
				if !strings.Contains(*st.Policy, "sudo") {
					t.Errorf("policy %q", *st.Policy)
				}
			},
		},
		"policy deleted": {
			drift:   func(f *fakeVault, _ *State) { delete(f.policies, "web-prod") },
			warning: "Policy deleted outside Terraform",
			check: func(t *testing.T, st *State, _ Plan) {
				if st.Policy == nil || *st.Policy != "" {
					t.Errorf("policy %v", st.Policy)
				}
			},
		},
		"role deleted": {
			drift:   func(f *fakeVault, _ *State) { _ = f.DeleteRole(ctx, "approle", "web-prod") },
			warning: "AppRole role deleted outside Terraform",
			check: func(t *testing.T, st *State, plan Plan) {
				if !plan.NewRoleID || !plan.Rotate {
					t.Errorf("plan %+v", plan)
				}
			},
		},
		"role rebound": {
			drift: func(f *fakeVault, _ *State) {
				f.roles["web-prod"]["token_policies"] = []any{"web-prod", "ci-writer-prod"}
			},
			warning: "is bound to policies",
			check: func(t *testing.T, st *State, _ Plan) {
				if st.Role.Name != "" || !needsRoleWrite(st, webSpec(true), "web-prod") {
					t.Errorf("role %+v is not rewritten", st.Role)
				}
			},
		},
		"role settings changed": {
			drift:   func(f *fakeVault, _ *State) { f.roles["web-prod"]["token_ttl"] = float64(7200) },
			warning: "",
			check: func(t *testing.T, st *State, _ Plan) {
				if st.Role.Settings.TokenTTL != "2h" || !needsRoleWrite(st, webSpec(true), "web-prod") {
					t.Errorf("settings %+v", st.Role.Settings)
				}
			},
		},
		"secret_id revoked": {
			drift:   func(f *fakeVault, st *State) { delete(f.secretIDs["web-prod"], st.Role.Accessor) },
			warning: "secret_id revoked or expired",
			check: func(t *testing.T, _ *State, plan Plan) {
				if !plan.Rotate {
					t.Errorf("plan %+v", plan)
				}
			},
		},
		"secret_id past its secret_id_ttl, not yet tidied by Vault": {
			drift:   func(f *fakeVault, st *State) { st.Role.Expires = f.clock.Add(-time.Second) },
			warning: "secret_id revoked or expired",
			check: func(t *testing.T, _ *State, plan Plan) {
				if !plan.Rotate {
					t.Errorf("plan %+v", plan)
				}
			},
		},
		"bootstrap changed": {
			drift: func(f *fakeVault, _ *State) {
				f.put("secret-prod", "web-bootstrap/approle/credentials", map[string]string{"role_id": "x", "secret_id": "y"})
			},
			warning: "Bootstrap entry changed outside Terraform",
			check: func(t *testing.T, _ *State, plan Plan) {
				if !plan.Rotate {
					t.Errorf("plan %+v", plan)
				}
			},
		},
		"bootstrap deleted": {
			drift:   func(f *fakeVault, _ *State) { delete(f.kv, "secret-prod/web-bootstrap/approle/credentials") },
			warning: "Bootstrap entry deleted outside Terraform",
			check: func(t *testing.T, _ *State, plan Plan) {
				if !plan.Rotate {
					t.Errorf("plan %+v", plan)
				}
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			st := mustCreate(t, f, webSpec(true))
			tc.drift(f, st)
			got, warnings, gone, err := newSyncer(f).Refresh(ctx, st)
			if err != nil || gone {
				t.Fatalf("refresh: gone %v, %v", gone, err)
			}
			var all []string
			for _, w := range warnings {
				all = append(all, w.Summary+": "+w.Detail)
			}
			if tc.warning == "" && len(all) > 0 || tc.warning != "" && !strings.Contains(strings.Join(all, "\n"), tc.warning) {
				t.Errorf("warnings %q, want one with %q", all, tc.warning)
			}
			tc.check(t, got, PlanFor(got, webSpec(true)))
			// The next apply repairs it, and a refresh after that is clean.
			repaired, err := newSyncer(f).Update(ctx, got, webSpec(true))
			if err != nil {
				t.Fatalf("repair: %v", err)
			}
			again, warnings, _, err := newSyncer(f).Refresh(ctx, repaired)
			if err != nil || len(warnings) > 0 {
				t.Fatalf("after the repair: warnings %v, %v", warnings, err)
			}
			if plan := PlanFor(again, webSpec(true)); len(plan.Writes) > 0 || plan.Rotate || plan.NewRoleID || needsRoleWrite(again, webSpec(true), "web-prod") {
				t.Errorf("after the repair the plan still changes: %+v", plan)
			}
			if f.policies["web-prod"] != webSpec(true).Policy {
				t.Error("policy not restored")
			}
		})
	}
}

func TestRefreshReportsAGoneApp(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	*f = *newFake()
	_, _, gone, err := newSyncer(f).Refresh(ctx, st)
	if err != nil || !gone {
		t.Fatalf("gone %v, err %v", gone, err)
	}
}

func TestDiscoverImportsAnApp(t *testing.T) {
	t.Parallel()
	f := newFake()
	created := mustCreate(t, f, webSpec(true))
	st, _, err := newSyncer(f).Discover(ctx, "prod", "web")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sortedKeys(st.Versions), []string{"database/app", "jwt/signing-key"}) || st.Secrets != nil {
		t.Errorf("versions %v, secrets %v (values must never be imported)", st.Versions, st.Secrets)
	}
	if !slices.Equal(st.ExtraReadPaths, []string{"database/creds/web-role"}) {
		t.Errorf("extra read paths %v", st.ExtraReadPaths)
	}
	if st.Role == nil || st.Role.RoleID != created.Role.RoleID || st.Role.Accessor != created.Role.Accessor || st.Role.Settings.TokenTTL != "1h" {
		t.Errorf("role %+v, want %+v", st.Role, created.Role)
	}
	if plan := PlanFor(st, webSpec(true)); plan.Rotate || plan.NewRoleID {
		t.Errorf("an imported app plans %+v", plan)
	}
}

func TestDiscoverFindsNothing(t *testing.T) {
	t.Parallel()
	_, _, err := newSyncer(newFake()).Discover(ctx, "prod", "web")
	_ = wantError(t, err, "", "Nothing to import")
}

// A refresh makes its independent reads at once, at most PerResourceParallelism of them, with
// exactly the requests a sequential refresh makes.
func TestRefreshReadsConcurrently(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	f.ops, f.delay = nil, 5*time.Millisecond
	if _, warnings, _, err := newSyncer(f).Refresh(ctx, st); err != nil || len(warnings) > 0 {
		t.Fatalf("refresh: %v %v", warnings, err)
	}
	if f.maxInflight < 2 || f.maxInflight > PerResourceParallelism {
		t.Errorf("at most %d requests in flight, want 2..%d", f.maxInflight, PerResourceParallelism)
	}
	// 2 secrets' metadata, the policy, the role, the secret_id list (which also answers for the
	// current secret_id), the bootstrap metadata.
	if len(f.ops) != 6 {
		t.Errorf("requests %v, want 6", f.ops)
	}
}
