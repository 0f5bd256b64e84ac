package appsync

import (
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
	spec.Rotation = &r
	f.ops = nil
	st, err := newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mint web-prod", "put secret-prod/web-bootstrap/approle/credentials", "destroy web-prod " + old}
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
	if !st.Private.Rotate || !slices.Contains(st.Private.Retire, old) {
		t.Fatalf("pending rotation not recorded: %+v", st.Private)
	}
	// The next apply mints again, writes the bootstrap entry, and retires both.
	st, err = newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.secretIDs["web-prod"]); n != 1 {
		t.Errorf("%d secret_ids valid after the repair, want 1", n)
	}
	boot := f.current("secret-prod", "web-bootstrap/approle/credentials")
	if f.secretIDs["web-prod"][st.Role.Accessor] != boot["secret_id"] {
		t.Error("the bootstrap entry does not hold the one valid secret_id")
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
	// Deleting again: everything is "not found", which is success.
	if errs := newSyncer(f).Delete(ctx, st); len(errs) > 0 {
		t.Fatal(errs)
	}
}

func TestDeleteCarriesOnAndReportsEveryError(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(false))
	f.fail["purge secret-prod/web/database/app"] = denied("secret-prod/metadata/web/database/app")
	errs := newSyncer(f).Delete(ctx, st)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "secret-prod/metadata/web/database/app") {
		t.Fatalf("errors %v", errs)
	}
	if f.policies["web-prod"] != "" || f.current("secret-prod", "web/jwt/signing-key") != nil {
		t.Error("delete stopped at the first error")
	}
}
