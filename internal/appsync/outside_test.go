package appsync

import (
	"slices"
	"strings"
	"testing"
)

func externalSpec() *Spec {
	s := NewSpec("prod", "web", nil)
	s.Secrets["api/token"] = Secret{Fields: map[string]string{"token": "t"}}
	s.External = map[string][]string{"database/app": {"host", "password", "username"}}
	return s
}

func TestExternalSecretsAreCheckedNotWritten(t *testing.T) {
	t.Parallel()
	f := newFake()
	spec := externalSpec()
	checks, err := newSyncer(f).CheckExternal(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 1 || !checks[0].Missing || checks[0].Command != "vault kv put -mount=secret-prod web/database/app host=<host> password=<password> username=<username>" {
		t.Fatalf("checks %+v", checks)
	}
	st := mustCreate(t, f, spec)
	if f.kv["secret-prod/web/database/app"] != nil {
		t.Fatal("the provider wrote an external secret")
	}
	if !slices.Equal(st.Fields["database/app"], []string{"host", "password", "username"}) {
		t.Errorf("fields %v", st.Fields)
	}
	if !strings.Contains(f.policies["web-prod"], "secret-prod/data/web/*") {
		t.Error("the policy does not cover the external secret's path")
	}

	// Written by hand with a field short and one extra: both reported, the value never kept.
	f.put("secret-prod", "web/database/app", map[string]string{"host": "db", "password": "hand", "extra": "x"})
	checks, err = newSyncer(f).CheckExternal(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := checks[0]
	if c.Missing || !slices.Equal(c.MissingFields, []string{"username"}) || !slices.Equal(c.ExtraFields, []string{"extra"}) || !strings.HasPrefix(c.Command, "vault kv patch") {
		t.Fatalf("check %+v", c)
	}
	for _, s := range []string{c.Command, c.Path} {
		if strings.Contains(s, "hand") || strings.Contains(s, "db ") {
			t.Errorf("a value reached a diagnostic: %q", s)
		}
	}

	// A hand update is not drift: refresh and plan are clean, nothing is written.
	f.put("secret-prod", "web/database/app", map[string]string{"host": "db", "password": "rotated", "username": "app"})
	got, warnings, _, err := newSyncer(f).Refresh(ctx, st)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("refresh: %v %v", warnings, err)
	}
	if plan := PlanFor(got, spec); len(plan.Writes) > 0 || len(plan.Deletes) > 0 {
		t.Errorf("a hand-written value plans %+v", plan)
	}
	// Destroy leaves the hand-written value.
	if errs := newSyncer(f).Delete(ctx, got); len(errs) > 0 {
		t.Fatal(errs)
	}
	if f.current("secret-prod", "web/database/app")["password"] != "rotated" {
		t.Error("destroy deleted a value that is not Terraform's")
	}
	if f.current("secret-prod", "web/api/token") != nil {
		t.Error("destroy left the Terraform-written secret")
	}
}

func TestMovingAKeyToExternalForgetsIt(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	spec := webSpec(false)
	delete(spec.Secrets, "database/app")
	spec.External = map[string][]string{"database/app": {"password", "username"}}
	if plan := PlanFor(st, spec); len(plan.Deletes) > 0 {
		t.Fatalf("a key moved to external_secrets would be deleted: %+v", plan)
	}
	if _, err := newSyncer(f).Update(ctx, st, spec); err != nil {
		t.Fatal(err)
	}
	if f.current("secret-prod", "web/database/app")["password"] != "pw1" {
		t.Error("the value of a key moved to external_secrets was touched")
	}
}

func TestMigrationCopiesOnceServerSide(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		source   string
		setup    func(f *fakeVault)
		del      bool
		deleted  func(f *fakeVault) bool
		wantKind string
	}{
		"kv v2 legacy": {source: "secret/database/web", setup: func(f *fakeVault) {
			f.put("secret", "database/web", map[string]string{"username": "web", "password": "legacy-pw"})
		}},
		"kv v2 legacy, source soft-deleted after the copy": {source: "secret/database/web", del: true, setup: func(f *fakeVault) {
			f.put("secret", "database/web", map[string]string{"username": "web", "password": "legacy-pw"})
		}, deleted: func(f *fakeVault) bool {
			return f.current("secret", "database/web") == nil && f.kv["secret/database/web"] != nil
		}},
		"kv v1 legacy": {source: "legacy/k3s/web", setup: func(f *fakeVault) {
			f.kv1["legacy/k3s/web"] = map[string]string{"username": "web", "password": "legacy-pw"}
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			tc.setup(f)
			spec := NewSpec("prod", "web", nil)
			spec.Migrate = map[string]string{"database/app": tc.source}
			spec.DeleteSources = tc.del
			pending, err := newSyncer(f).PendingMigrations(ctx, nil, spec)
			if err != nil || len(pending) != 1 || !slices.Equal(pending[0].Fields, []string{"password", "username"}) || pending[0].Target != "secret-prod/web/database/app" {
				t.Fatalf("pending %+v, %v", pending, err)
			}
			st := mustCreate(t, f, spec)
			if d := f.current("secret-prod", "web/database/app"); d["password"] != "legacy-pw" || d["username"] != "web" {
				t.Fatalf("canonical %v", d)
			}
			if st.Private.Migrated["database/app"] != tc.source || len(st.Versions) != 0 {
				t.Errorf("state migrated %v versions %v", st.Private.Migrated, st.Versions)
			}
			if tc.deleted != nil && !tc.deleted(f) {
				t.Error("the source was not soft-deleted after the copy")
			}
			if tc.deleted == nil && f.kv["secret/database/web"] != nil && f.current("secret", "database/web") == nil {
				t.Error("the source was deleted without being asked")
			}
			// A second apply reads and writes nothing about the migration.
			f.ops = nil
			if pending, _ := newSyncer(f).PendingMigrations(ctx, st, spec); len(pending) != 0 {
				t.Errorf("still pending: %+v", pending)
			}
			if _, err := newSyncer(f).Update(ctx, st, spec); err != nil {
				t.Fatal(err)
			}
			for _, op := range f.ops {
				if strings.HasPrefix(op, "put ") || strings.Contains(op, "legacy") || strings.Contains(op, "secret/") {
					t.Errorf("the second apply sent %s", op)
				}
			}
		})
	}
}

func TestMigrationRefusals(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		source, summary string
		setup           func(f *fakeVault)
		del             bool
	}{
		"missing source": {source: "secret/database/web/nope", summary: "Legacy secret missing"},
		"missing mount":  {source: "nomount/web/y", summary: "Legacy mount missing"},
		// Checked again at apply: a source unknown at plan never reached the static check.
		"another service's source": {source: "secret/database/billing", summary: "Breaks the secrets policy", setup: func(f *fakeVault) {
			f.put("secret", "database/billing", map[string]string{"password": "billing-pw"})
		}},
		"encoded dot segments": {source: "secret/k3s/%2e%2e/web", summary: "Breaks the secrets policy"},
		"not kv":               {source: "pki/issue/web", summary: "not KV"},
		"kv v1 with delete":    {source: "legacy/k3s/web", del: true, summary: "Cannot soft-delete a KV v1 source", setup: func(f *fakeVault) { f.kv1["legacy/k3s/web"] = map[string]string{"p": "x"} }},
		"unreadable":           {source: "secret/database/web", summary: "Cannot read the legacy secret", setup: func(f *fakeVault) { f.fail["get secret/database/web"] = denied("secret/data/database/web") }},
		"target holds another": {source: "secret/database/web", summary: "already exists", setup: func(f *fakeVault) {
			f.put("secret", "database/web", map[string]string{"password": "legacy"})
			f.put("secret-prod", "web/database/app", map[string]string{"password": "someone-else"})
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			if tc.setup != nil {
				tc.setup(f)
			}
			spec := NewSpec("prod", "web", nil)
			spec.Migrate = map[string]string{"database/app": tc.source}
			spec.DeleteSources = tc.del
			_, _, err := newSyncer(f).Create(ctx, spec)
			attr := "migrate_from"
			if tc.del {
				attr = "migrate_delete_source"
			}
			e := wantError(t, err, attr, tc.summary)
			if e.Key != "database/app" {
				t.Errorf("key %q", e.Key)
			}
			if name == "unreadable" && (!strings.Contains(e.Detail, "CI writer cannot read legacy paths") || !strings.Contains(e.Detail, "never its state")) {
				t.Errorf("the hint of a denied legacy read does not name what a migration needs: %s", e.Detail)
			}
			if d := f.current("secret-prod", "web/database/app"); d != nil && d["password"] != "someone-else" {
				t.Errorf("a refused migration wrote %v", d)
			}
			if f.policies["web-prod"] != "" {
				t.Error("a refused migration left the policy")
			}
		})
	}
}

func TestDeclaringAMigratedKeyTakesItOver(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.put("secret", "database/web", map[string]string{"password": "legacy"})
	spec := NewSpec("prod", "web", nil)
	spec.Migrate = map[string]string{"database/app": "secret/database/web"}
	st := mustCreate(t, f, spec)
	now := NewSpec("prod", "web", nil)
	now.WriteOnly, now.WOVersion = true, 1
	now.Secrets["database/app"] = Secret{Fields: map[string]string{"password": "from-terraform"}}
	st, err := newSyncer(f).Update(ctx, st, now)
	if err != nil {
		t.Fatal(err)
	}
	if f.current("secret-prod", "web/database/app")["password"] != "from-terraform" || st.Versions["database/app"] != 2 || len(st.Fields["database/app"]) != 1 {
		t.Errorf("Vault %v, versions %v, fields %v", f.current("secret-prod", "web/database/app"), st.Versions, st.Fields)
	}
	if len(st.Private.Migrated) != 0 {
		t.Errorf("still marked migrated: %v", st.Private.Migrated)
	}
}

// migrate_delete_source set after the copy (the order the migration guide gives) soft-deletes
// the sources of the copies already made, once; a KV v1 source is refused before anything.
func TestDeleteSourceActsOnCopiesAlreadyMade(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.put("secret", "database/web", map[string]string{"password": "legacy"})
	f.kv1["legacy/k3s/web"] = map[string]string{"token": "v1"}
	spec := func(del bool, sources map[string]string) *Spec {
		s := NewSpec("prod", "web", nil)
		s.Migrate, s.DeleteSources = sources, del
		return s
	}
	v2 := map[string]string{"database/app": "secret/database/web"}
	st := mustCreate(t, f, spec(false, v2))
	if f.current("secret", "database/web") == nil {
		t.Fatal("the source was deleted without being asked")
	}
	withDelete := spec(true, v2)
	if got := PendingSourceDeletes(st, withDelete); len(got) != 1 || got[0].Source != "secret/database/web" {
		t.Fatalf("pending source deletes %+v, want the copied source", got)
	}
	st = mustUpdate(t, f, st, withDelete)
	if f.current("secret", "database/web") != nil || f.kv["secret/database/web"] == nil {
		t.Fatal("the copied source was not soft-deleted")
	}
	if d := f.current("secret-prod", "web/database/app"); d["password"] != "legacy" {
		t.Fatalf("the copy is gone: %v", d)
	}
	if got := PendingSourceDeletes(st, withDelete); len(got) != 0 {
		t.Fatalf("still pending after the apply: %+v", got)
	}
	f.ops = nil
	mustUpdate(t, f, st, withDelete)
	for _, op := range f.ops {
		if strings.Contains(op, "secret/") {
			t.Errorf("the next apply touched the source again: %s", op)
		}
	}

	// A KV v1 source copied earlier: asking to delete it is refused at plan and at apply.
	v1 := map[string]string{"app/config": "legacy/k3s/web"}
	f2 := newFake()
	f2.kv1["legacy/k3s/web"] = map[string]string{"token": "v1"}
	st = mustCreate(t, f2, spec(false, v1))
	if err := newSyncer(f2).CheckSourceDeletes(ctx, st, spec(true, v1)); err == nil {
		t.Fatal("deleting a KV v1 source passed the plan check")
	} else {
		_ = wantError(t, err, "migrate_delete_source", "KV v1")
	}
	if _, err := newSyncer(f2).Update(ctx, st, spec(true, v1)); err == nil {
		t.Fatal("deleting a KV v1 source passed at apply")
	}
	if f2.kv1["legacy/k3s/web"] == nil {
		t.Fatal("the KV v1 source was destroyed")
	}
}
