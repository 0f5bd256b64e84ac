package appsync

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// rotated is spec with secret_id_rotation set to r.
func rotated(spec *Spec, r string) *Spec {
	spec.Rotation = &r
	return spec
}

// refreshed refreshes st and fails the test on an error; it returns the state and the
// warnings' summaries.
func refreshed(t *testing.T, f *fakeVault, st *State) (*State, []string) {
	t.Helper()
	out, warnings, _, err := newSyncer(f).Refresh(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	var summaries []string
	for _, w := range warnings {
		summaries = append(summaries, w.Summary)
	}
	return out, summaries
}

func mustUpdate(t *testing.T, f *fakeVault, st *State, spec *Spec) *State {
	t.Helper()
	st, err := newSyncer(f).Update(ctx, st, spec)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// The app holds the old secret_id across a routine rotation: it logs in during the grace, the
// new one logs in too, and once the grace has ended a refresh marks the old one, the plan
// destroys it and after the apply it is refused.
func TestRoutineRotationKeepsThePreviousSecretIDForTheGrace(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	held, old := f.bootstrapSecretID(), st.Role.Accessor

	st = mustUpdate(t, f, st, rotated(webSpec(true), "2026-12"))
	if !f.login(held) || !f.login(f.bootstrapSecretID()) {
		t.Fatal("right after the rotation, the old secret_id or the new one does not log in")
	}
	want := []SecretID{{Accessor: old, Status: StatusPrevious, ValidUntil: f.now().Add(DefaultGrace)}}
	if !slices.Equal(st.Role.Others, want) {
		t.Fatalf("other secret_ids %+v, want %+v", st.Role.Others, want)
	}

	f.advance(DefaultGrace - time.Minute)
	st, warnings := refreshed(t, f, st)
	if len(warnings) > 0 || PlanFor(st, rotated(webSpec(true), "2026-12")).Destroy != nil {
		t.Fatalf("during the grace: warnings %v, plan destroys something", warnings)
	}
	if !f.login(held) {
		t.Fatal("the old secret_id is refused during the grace")
	}

	f.advance(time.Minute)
	st, warnings = refreshed(t, f, st)
	if !slices.Contains(warnings, "Previous secret_id's grace has ended") {
		t.Fatalf("after the grace: warnings %v", warnings)
	}
	spec := rotated(webSpec(true), "2026-12")
	if p := PlanFor(st, spec); !slices.Equal(p.Destroy, []string{old}) || p.Rotate {
		t.Fatalf("plan after the grace: destroy %v rotate %v, want destroy [%s] without rotating", p.Destroy, p.Rotate, old)
	}
	st = mustUpdate(t, f, st, spec)
	if f.login(held) || len(st.Role.Others) != 0 {
		t.Fatalf("after the grace and an apply the old secret_id still logs in (others %+v)", st.Role.Others)
	}
	if !f.login(f.bootstrapSecretID()) {
		t.Fatal("the current secret_id is refused")
	}
}

// An emergency rotation destroys every other secret_id in the same apply, previous ones in
// their grace included, and the plan says so.
func TestEmergencyRotationRevokesEveryOtherSecretIDAtOnce(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	first := f.bootstrapSecretID()
	st = mustUpdate(t, f, st, rotated(webSpec(true), "2026-12"))
	second := f.bootstrapSecretID()

	spec := rotated(webSpec(true), "2026-12")
	leak := "leak-1"
	spec.Emergency = &leak
	p := PlanFor(st, spec)
	if !p.Rotate || !p.Emergency || p.RetireCurrent || len(p.Destroy) != 2 || p.KeepOthers != nil {
		t.Fatalf("emergency plan %+v, want a rotation destroying both others and keeping none", p)
	}
	st = mustUpdate(t, f, st, spec)
	if f.login(first) || f.login(second) {
		t.Fatal("an old secret_id still logs in after the emergency rotation")
	}
	if !f.login(f.bootstrapSecretID()) || len(st.Role.Others) != 0 || len(f.secretIDs["web-prod"]) != 1 {
		t.Fatalf("after the emergency rotation: others %+v, secret_ids %v", st.Role.Others, f.secretIDs["web-prod"])
	}
	if PlanFor(st, spec).Rotate {
		t.Fatal("the same emergency value rotates again")
	}
}

// A secret_id minted outside Terraform is drift: the refresh names it, the plan destroys it,
// and after the apply it is refused; the app's own secret_id is untouched.
func TestUntrackedSecretIDIsDriftAndDestroyed(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	stray, strayAcc, err := f.NewSecretID(ctx, "approle", "web-prod", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, warnings := refreshed(t, f, st)
	if !slices.Contains(warnings, "secret_id not minted by Terraform") {
		t.Fatalf("warnings %v", warnings)
	}
	if want := []SecretID{{Accessor: strayAcc, Status: StatusUntracked}}; !slices.Equal(st.Role.Others, want) {
		t.Fatalf("others %+v, want %+v", st.Role.Others, want)
	}
	spec := webSpec(true)
	if p := PlanFor(st, spec); !slices.Equal(p.Destroy, []string{strayAcc}) || p.Rotate {
		t.Fatalf("plan %+v, want the stray destroyed without a rotation", p)
	}
	f.ops = nil
	st = mustUpdate(t, f, st, spec)
	if f.login(stray) || !f.login(f.bootstrapSecretID()) || len(st.Role.Others) != 0 {
		t.Fatalf("after the apply: stray logs in %v, others %+v", f.login(stray), st.Role.Others)
	}
	if want := "destroy web-prod " + strayAcc; !slices.Contains(f.ops, want) {
		t.Errorf("requests %v lack %q", f.ops, want)
	}
}

// A stray minted between the refresh and a rotation's apply goes with the rotation's sweep.
func TestRotationSweepsEverySecretIDItDoesNotKeep(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	st = mustUpdate(t, f, st, rotated(webSpec(true), "2026-12"))
	stray, _, _ := f.NewSecretID(ctx, "approle", "web-prod", nil)
	st = mustUpdate(t, f, st, rotated(webSpec(true), "2027-01"))
	if f.login(stray) {
		t.Fatal("a secret_id minted outside Terraform survived a rotation")
	}
	// Two rotations within the grace: both earlier secret_ids keep their own grace.
	if len(st.Role.Others) != 2 || len(f.secretIDs["web-prod"]) != 3 {
		t.Fatalf("others %+v, secret_ids %v: want the two previous ones and the current", st.Role.Others, f.secretIDs["web-prod"])
	}
}

// With secret_id_ttl, secret_ids expire by themselves: a previous one's validity ends with its
// own expiry when that comes before the grace's end, and one gone from Vault leaves the state.
func TestSecretIDsMintedWithATTLExpireByThemselves(t *testing.T) {
	t.Parallel()
	f := newFake()
	spec := webSpec(true)
	spec.AppRole.SecretIDTTL = "3h"
	st := mustCreate(t, f, spec)
	minted := f.now()
	if !st.Role.Expires.Equal(minted.Add(3 * time.Hour)) {
		t.Fatalf("current secret_id expires %v, want %v", st.Role.Expires, minted.Add(3*time.Hour))
	}
	f.advance(2 * time.Hour)
	spec = webSpec(true)
	spec.AppRole.SecretIDTTL = "3h"
	st = mustUpdate(t, f, st, rotated(spec, "2026-12"))
	if len(st.Role.Others) != 1 || !st.Role.Others[0].ValidUntil.Equal(minted.Add(3*time.Hour)) {
		t.Fatalf("previous secret_id %+v: want valid until its own expiry %v, before the grace's end", st.Role.Others, minted.Add(3*time.Hour))
	}
	f.advance(time.Hour)
	st, warnings := refreshed(t, f, st)
	if len(st.Role.Others) != 0 || len(warnings) > 0 {
		t.Fatalf("an expired previous secret_id is still accounted for: %+v %v", st.Role.Others, warnings)
	}
}

// A rotation without grace (secret_id_grace_period = "0") destroys the old secret_id in the
// apply that writes the new one.
func TestRotationWithoutGraceDestroysAtOnce(t *testing.T) {
	t.Parallel()
	f := newFake()
	st := mustCreate(t, f, webSpec(true))
	held := f.bootstrapSecretID()
	spec := rotated(webSpec(true), "2026-12")
	spec.Grace = 0
	st = mustUpdate(t, f, st, spec)
	if f.login(held) || len(st.Role.Others) != 0 {
		t.Fatal("the old secret_id survived a rotation without grace")
	}
}

// Import accounts for every secret_id: the bootstrap entry's is current, the others are drift.
func TestDiscoverMarksOtherSecretIDsUntracked(t *testing.T) {
	t.Parallel()
	f := newFake()
	mustCreate(t, f, webSpec(true))
	_, strayAcc, _ := f.NewSecretID(ctx, "approle", "web-prod", nil)
	st, warnings, err := newSyncer(f).Discover(ctx, "prod", "web")
	if err != nil {
		t.Fatal(err)
	}
	if want := []SecretID{{Accessor: strayAcc, Status: StatusUntracked}}; !slices.Equal(st.Role.Others, want) {
		t.Fatalf("others %+v, want %+v", st.Role.Others, want)
	}
	if !slices.ContainsFunc(warnings, func(w Warning) bool { return strings.Contains(w.Summary, "not minted by Terraform") }) {
		t.Errorf("warnings %v", warnings)
	}
}
