package appsync

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestUpdateWritesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	spec := webSpec(true)
	spec.Secrets["database/app"] = Secret{Fields: map[string]string{"username": "app", "password": "pw2"}}
	if plan := PlanFor(st, spec); !plan.Writes["database/app"] || plan.Writes["jwt/signing-key"] || plan.Rotate || plan.NewRoleID {
		t.Fatalf("plan %+v", plan)
	}
	f.ops = nil
	st, err := newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"put secret-prod/web/database/app"}; !slices.Equal(f.ops, want) {
		t.Errorf("requests %v, want %v", f.ops, want)
	}
	if st.Versions["database/app"] != 2 || st.Versions["jwt/signing-key"] != 1 {
		t.Errorf("versions %v", st.Versions)
	}
}

func TestUpdateWriteOnlyOnlyWhenTheVersionChanges(t *testing.T) {
	t.Parallel()
	f := newFake()
	spec := webSpec(false)
	spec.WriteOnly, spec.WOVersion = true, 1
	st := mustCreate(t, f, spec)
	changed := webSpec(false)
	changed.WriteOnly, changed.WOVersion = true, 1
	changed.Secrets["database/app"] = Secret{Fields: map[string]string{"username": "app", "password": "new"}}
	if plan := PlanFor(st, changed); len(plan.Writes) != 0 {
		t.Errorf("a write-only value changed without a version bump is written: %v", plan.Writes)
	}
	changed.WOVersion = 2
	if plan := PlanFor(st, changed); len(plan.Writes) != 2 {
		t.Errorf("a version bump writes %v, want both secrets", plan.Writes)
	}
}

func TestUpdateRemovesUndeclaredKeys(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	spec := webSpec(false)
	delete(spec.Secrets, "jwt/signing-key")
	st, err := newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Versions["jwt/signing-key"]; ok || f.current("secret-prod", "web/jwt/signing-key") != nil {
		t.Errorf("removed key still in state %v or Vault", st.Versions)
	}
	if f.current("secret-prod", "web/database/app") == nil {
		t.Error("a declared key was removed")
	}
}

func TestUpdateRefusesAWriteInBetween(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	spec := webSpec(false)
	spec.Secrets["database/app"] = Secret{Fields: map[string]string{"username": "app", "password": "pw2"}}
	f.put("secret-prod", "web/database/app", map[string]string{"username": "app", "password": "theirs"})
	_, err := newSyncer(f).Update(ctx, st, spec)
	e := wantError(t, err, "secrets", "changed in Vault since the plan")
	if e.Key != "database/app" {
		t.Errorf("key %q", e.Key)
	}
	if got := f.current("secret-prod", "web/database/app"); got["password"] != "theirs" {
		t.Errorf("the other write was overwritten: %v", got)
	}
}

func TestRotationWritesTheBootstrapBeforeDestroyingTheOldSecretID(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	old := st.Role.Accessor
	spec := webSpec(true)
	r := "2026-12"
	spec.Rotation, spec.Grace = &r, 0 // no grace: the old secret_id goes in the same apply
	f.ops = nil
	st, err := newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mint web-prod", "put secret-prod/web-bootstrap/approle/credentials", "destroy web-prod " + old, "list-secret-ids web-prod"}
	if !slices.Equal(f.ops, want) {
		t.Fatalf("requests %v, want %v", f.ops, want)
	}
	if st.Role.Accessor == old || f.secretIDs["web-prod"][old] != "" {
		t.Errorf("old secret_id not replaced (state %q) or not destroyed", st.Role.Accessor)
	}
}

func TestRotationKeepsTheOldSecretIDWhenTheBootstrapWriteFails(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	old := st.Role.Accessor
	spec := webSpec(true)
	r := "2026-12"
	spec.Rotation = &r
	f.fail["put secret-prod/web-bootstrap/approle/credentials"] = errDown
	st, err := newSyncer(f).Update(ctx, st, spec)
	if err == nil {
		t.Fatal("no error")
	}
	if _, ok := f.secretIDs["web-prod"][old]; !ok {
		t.Fatal("the old secret_id was destroyed although the bootstrap entry does not hold the new one")
	}
	if !st.Private.Rotate || st.Role.Accessor != old || len(st.Private.Retire) != 1 {
		t.Fatalf("pending rotation not recorded (the unwritten secret_id to retire, the old one still current): %+v %+v", st.Private, st.Role)
	}
	// The next apply mints again, writes the bootstrap entry, keeps the old one for its grace
	// and destroys the one that never reached the bootstrap entry.
	st, err = newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	boot := f.current("secret-prod", "web-bootstrap/approle/credentials")
	want := []string{old, st.Role.Accessor}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(f.secretIDs["web-prod"])); !slices.Equal(got, want) {
		t.Errorf("secret_ids valid after the repair: %v, want the old one in its grace and the new one %v", got, want)
	}
	if f.secretIDs["web-prod"][st.Role.Accessor] != boot["secret_id"] {
		t.Error("the bootstrap entry does not hold the current secret_id")
	}
}

func TestSwitchingAccessAddsAndRemovesTheRole(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	st, err := newSyncer(f).Update(ctx, st, webSpec(true))
	if err != nil || st.Role == nil || f.roles["web-prod"] == nil {
		t.Fatalf("eso -> direct-vault: %v, role %v", err, st.Role)
	}
	st, err = newSyncer(f).Update(ctx, st, webSpec(false))
	if err != nil || st.Role != nil {
		t.Fatalf("direct-vault -> eso: %v, role %v", err, st.Role)
	}
	if left := f.leftOf(); strings.Contains(left, "role") || strings.Contains(left, "bootstrap") {
		t.Errorf("left after switching back: %s", left)
	}
}

func TestDeleteRemovesEverything(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	if errs := newSyncer(f).Delete(ctx, st); len(errs) > 0 {
		t.Fatal(errs)
	}
	if left := f.leftOf(); left != "" {
		t.Errorf("left after delete: %s", left)
	}
	// Recoverable: the secrets' versions are soft-deleted, and undelete brings the values back.
	s := f.kv["secret-prod/web/database/app"]
	if s == nil || len(s.versions) != 1 {
		t.Fatal("a default delete purged the secret")
	}
	s.versions[0].deleted = false
	if f.current("secret-prod", "web/database/app")["password"] != "pw1" {
		t.Error("undelete does not restore the value")
	}
	// Deleting again: everything is "not found", which is success.
	if errs := newSyncer(f).Delete(ctx, st); len(errs) > 0 {
		t.Fatal(errs)
	}
}

func TestDeleteCarriesOnAndReportsEveryError(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	f.fail["delete secret-prod/web/database/app"] = denied("secret-prod/data/web/database/app")
	errs := newSyncer(f).Delete(ctx, st)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "secret-prod/data/web/database/app") {
		t.Fatalf("errors %v", errs)
	}
	if f.policies["web-prod"] != "" || f.current("secret-prod", "web/jwt/signing-key") != nil {
		t.Error("delete stopped at the first error")
	}
}

func TestDeletePurgesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	st.DeleteAllVersions = true
	if errs := newSyncer(f).Delete(ctx, st); len(errs) > 0 {
		t.Fatal(errs)
	}
	if f.kv["secret-prod/web/database/app"] != nil {
		t.Error("delete_all_versions did not purge the secret")
	}
}

func TestRemovedKeyIsRecoverableAndCanBeDeclaredAgain(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	without := webSpec(false)
	delete(without.Secrets, "database/app")
	if plan := PlanFor(st, without); !slices.Equal(plan.Deletes, []string{"database/app"}) || len(plan.Forgets) > 0 {
		t.Fatalf("plan %+v", plan)
	}
	st, err := newSyncer(f).Update(ctx, st, without)
	if err != nil {
		t.Fatal(err)
	}
	if s := f.kv["secret-prod/web/database/app"]; s == nil || !s.versions[0].deleted {
		t.Fatal("the removed secret is not soft-deleted")
	}
	// Declared again with new values: written as version 2; version 1 stays deleted.
	again := webSpec(false)
	again.Secrets["database/app"] = Secret{Fields: map[string]string{"username": "app", "password": "pw-new"}}
	st, err = newSyncer(f).Update(ctx, st, again)
	if err != nil {
		t.Fatal(err)
	}
	s := f.kv["secret-prod/web/database/app"]
	if st.Versions["database/app"] != 2 || f.current("secret-prod", "web/database/app")["password"] != "pw-new" || !s.versions[0].deleted {
		t.Errorf("version %d, current %v, v1 deleted %v", st.Versions["database/app"], f.current("secret-prod", "web/database/app"), s.versions[0].deleted)
	}
}

func TestImportedUndeclaredKeysAreForgottenNotDeleted(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.put("secret-prod", "web/database/app", map[string]string{"password": "hand"})
	f.put("secret-prod", "web/legacy/token", map[string]string{"token": "hand"})
	st, _, err := newSyncer(f).Discover(ctx, "prod", "web")
	if err != nil {
		t.Fatal(err)
	}
	spec := NewSpec("prod", "web", nil)
	spec.Secrets["database/app"] = Secret{Fields: map[string]string{"password": "declared"}}
	plan := PlanFor(st, spec)
	if len(plan.Deletes) > 0 || !slices.Equal(plan.Forgets, []string{"legacy/token"}) {
		t.Fatalf("plan %+v", plan)
	}
	st, err = newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	if f.current("secret-prod", "web/legacy/token")["token"] != "hand" {
		t.Error("an imported secret that is not declared was deleted")
	}
	if _, ok := st.Versions["legacy/token"]; ok {
		t.Error("the undeclared imported secret is still in state")
	}
	// database/app was declared, so it is Terraform's now: removing it deletes it (softly).
	if slices.Contains(st.Private.Imported, "database/app") {
		t.Error("a written key is still marked imported")
	}
	if plan := PlanFor(st, NewSpec("prod", "web", nil)); !slices.Equal(plan.Deletes, []string{"database/app"}) {
		t.Errorf("plan %+v", plan)
	}
}

func TestWriteOnlyFieldAddedIsWrittenWithoutABump(t *testing.T) {
	t.Parallel()
	f := newFake()
	spec := webSpec(false)
	spec.WriteOnly, spec.WOVersion = true, 1
	st := mustCreate(t, f, spec)
	more := webSpec(false)
	more.WriteOnly, more.WOVersion = true, 1
	more.Secrets["database/app"] = Secret{Fields: map[string]string{"username": "app", "password": "pw1", "host": "db"}}
	plan := PlanFor(st, more)
	if !plan.Writes["database/app"] || plan.Writes["jwt/signing-key"] {
		t.Fatalf("plan %+v", plan)
	}
	st, err := newSyncer(f).Update(ctx, st, more)
	if err != nil || f.current("secret-prod", "web/database/app")["host"] != "db" || len(st.Fields["database/app"]) != 3 {
		t.Fatalf("update: %v, Vault %v, fields %v", err, f.current("secret-prod", "web/database/app"), st.Fields)
	}
}

func TestCreateNeverTakesOverAPolicyOrRole(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		setup   func(f *fakeVault)
		summary string
	}{
		"hand-made policy": {func(f *fakeVault) { f.policies["web-prod"] = `path "secret-prod/*" { capabilities = ["read"] }` }, "Policy already exists"},
		"another resource's app": {func(f *fakeVault) {
			mustCreateNoT(f, webSpec(false))
		}, "Policy already exists"},
		"hand-made role": {func(f *fakeVault) { f.roles["web-prod"] = map[string]any{"token_policies": []any{"admin"}} }, "AppRole role already exists"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			tc.setup(f)
			policyBefore, roleBefore := f.policies["web-prod"], f.roles["web-prod"]
			secretsBefore := len(f.kv)
			spec := webSpec(true)
			spec.Secrets = map[string]Secret{"other/key": {Fields: map[string]string{"token": "t"}}}
			st, _, err := newSyncer(f).Create(ctx, spec)
			e := wantError(t, err, "service", tc.summary)
			if !strings.Contains(e.Detail, "terraform import <address> secret-prod/web") || st != nil {
				t.Errorf("detail %q, state %v", e.Detail, st)
			}
			if f.policies["web-prod"] != policyBefore || len(f.kv) != secretsBefore || (roleBefore != nil) != (f.roles["web-prod"] != nil) {
				t.Error("a refused create changed Vault")
			}
		})
	}
}

func mustCreateNoT(f *fakeVault, spec *Spec) {
	if _, _, err := newSyncer(f).Create(ctx, spec); err != nil {
		panic(err)
	}
}

// A secret_id minted by an apply whose answer was lost is not left valid: the next rotation,
// once the bootstrap entry holds its new secret_id, destroys every other secret_id of the role.
func TestLostMintLeavesNoStraySecretID(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	spec := webSpec(true)
	r := "2026-12"
	spec.Rotation = &r
	f.lose["mint web-prod"] = errDown
	st, err := newSyncer(f).Update(ctx, st, spec)
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(f.secretIDs["web-prod"]); n != 2 {
		t.Fatalf("%d secret_ids after the lost answer, want 2 (the old and the stray)", n)
	}
	st, err = newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	boot := f.current("secret-prod", "web-bootstrap/approle/credentials")
	if n := len(f.secretIDs["web-prod"]); n != 2 || f.secretIDs["web-prod"][st.Role.Accessor] != boot["secret_id"] || len(st.Role.Others) != 1 {
		t.Errorf("%d secret_ids valid after the repair (want the bootstrap's and the previous one in its grace): %v", n, f.secretIDs["web-prod"])
	}
}
