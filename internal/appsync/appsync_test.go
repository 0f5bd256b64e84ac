package appsync

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

var ctx = context.Background()

func newSyncer(f *fakeVault) *Syncer { return &Syncer{V: f, AppRoleMount: "approle", Now: f.now} }

// webSpec declares app web in prod with two secrets; direct adds Direct-Vault.
func webSpec(direct bool) *Spec {
	s := NewSpec("prod", "web", []string{"database/creds/web-role"})
	s.Secrets["database/app"] = Secret{Fields: map[string]string{"username": "app", "password": "pw1"}}
	s.Secrets["jwt/signing-key"] = Secret{Fields: map[string]string{"private_key": "k1"}}
	s.Direct = direct
	return s
}

func mustCreate(t *testing.T, f *fakeVault, spec *Spec) *State {
	t.Helper()
	st, warnings, err := newSyncer(f).Create(ctx, spec)
	if err != nil || st == nil || len(warnings) > 0 {
		t.Fatalf("create: state %v, warnings %v, error %v", st, warnings, err)
	}
	return st
}

func wantError(t *testing.T, err error, attribute, summary string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *appsync.Error", err)
	}
	if e.Attribute != attribute || !strings.Contains(e.Summary, summary) {
		t.Fatalf("error on %q %q, want on %q %q (detail: %s)", e.Attribute, e.Summary, attribute, summary, e.Detail)
	}
	return e
}

func TestCreate(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		direct bool
		// what must be in the fake afterwards
		role, bootstrap bool
	}{
		"eso":          {},
		"direct-vault": {direct: true, role: true, bootstrap: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			st := mustCreate(t, f, webSpec(tc.direct))
			if got := f.current("secret-prod", "web/database/app"); got["password"] != "pw1" {
				t.Errorf("database/app in Vault = %v", got)
			}
			if st.Versions["database/app"] != 1 || st.Private.Written["database/app"] != 1 {
				t.Errorf("versions %v written %v", st.Versions, st.Private.Written)
			}
			if !slices.Equal(st.Fields["database/app"], []string{"password", "username"}) {
				t.Errorf("fields %v", st.Fields)
			}
			if st.Policy == nil || f.policies["web-prod"] != *st.Policy || !strings.Contains(*st.Policy, `"database/creds/web-role"`) {
				t.Errorf("policy in Vault %q, state %v", f.policies["web-prod"], st.Policy)
			}
			_, hasRole := f.roles["web-prod"]
			boot := f.current("secret-prod", "web-bootstrap/approle/credentials")
			if hasRole != tc.role || (boot != nil) != tc.bootstrap || (st.Role != nil) != tc.direct {
				t.Fatalf("role %v bootstrap %v state role %v", hasRole, boot, st.Role)
			}
			if tc.direct {
				if boot["role_id"] != st.Role.RoleID || f.secretIDs["web-prod"][st.Role.Accessor] != boot["secret_id"] {
					t.Errorf("bootstrap %v does not hold the role's role_id and current secret_id (state %+v)", boot, st.Role)
				}
				if pols := f.roles["web-prod"]["token_policies"].([]any); len(pols) != 1 || pols[0] != "web-prod" {
					t.Errorf("role bound to %v", pols)
				}
			}
			if st.Secrets["database/app"]["password"] != "pw1" {
				t.Errorf("plain secrets are kept in state: %v", st.Secrets)
			}
		})
	}
}

func TestCreateWriteOnlyKeepsNoValue(t *testing.T) {
	t.Parallel()
	f := newFake()
	spec := webSpec(false)
	spec.WriteOnly, spec.WOVersion = true, 3
	st := mustCreate(t, f, spec)
	if st.Secrets != nil || st.WOVersion == nil || *st.WOVersion != 3 {
		t.Fatalf("write-only state keeps secrets %v, version %v", st.Secrets, st.WOVersion)
	}
}

func TestCreateRefusesAnExistingSecret(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.put("secret-prod", "web/database/app", map[string]string{"username": "someone", "password": "else"})
	st, _, err := newSyncer(f).Create(ctx, webSpec(true))
	e := wantError(t, err, "secrets", "Secret already exists")
	if e.Key != "database/app" || !strings.Contains(e.Detail, "terraform import <address> secret-prod/web") {
		t.Errorf("key %q detail %q", e.Key, e.Detail)
	}
	if st != nil {
		t.Errorf("a refused create returned state %+v", st)
	}
	if got := f.current("secret-prod", "web/database/app"); got["username"] != "someone" {
		t.Errorf("the existing secret was overwritten: %v", got)
	}
	if left := f.leftOf(); left != "secret-prod/web/database/app" {
		t.Errorf("left in Vault besides the existing secret: %s", left)
	}
}

func TestCreateAdoptsIdenticalValuesAfterALostAnswer(t *testing.T) {
	t.Parallel()
	f := newFake()
	// The first attempt wrote database/app, then its answer was lost, and the create failed.
	f.lose["put secret-prod/web/database/app"] = errDown
	if _, _, err := newSyncer(f).Create(ctx, webSpec(false)); err == nil {
		t.Fatal("lost answer: no error")
	}
	if f.current("secret-prod", "web/database/app") == nil {
		t.Fatal("the fake did not keep the write whose answer was lost")
	}
	// The undo could not know about the write; the retry finds it with the declared values.
	st := mustCreate(t, f, webSpec(false))
	if st.Versions["database/app"] != 1 {
		t.Errorf("adopted version %d, want 1", st.Versions["database/app"])
	}
}

func TestCreateUndoesItselfOnFailure(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.fail["mint web-prod"] = denied("auth/approle/role/web-prod/secret-id")
	st, warnings, err := newSyncer(f).Create(ctx, webSpec(true))
	e := wantError(t, err, "", "Cannot mint secret_id")
	if !strings.Contains(e.Detail, "auth/approle/role/web-prod/secret-id") || !strings.Contains(e.Detail, `"update"`) {
		t.Errorf("detail does not name the path and capability: %s", e.Detail)
	}
	if st != nil || len(warnings) != 1 || warnings[0].Summary != "Create undone" {
		t.Fatalf("state %v warnings %v", st, warnings)
	}
	if left := f.leftOf(); left != "" {
		t.Errorf("left in Vault after the undo: %s", left)
	}
}

func TestCreateUndoKeepsAdoptedSecrets(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.put("secret-prod", "web/database/app", map[string]string{"username": "app", "password": "pw1"})
	f.fail["put-policy web-prod"] = errDown
	if _, _, err := newSyncer(f).Create(ctx, webSpec(false)); err == nil {
		t.Fatal("no error")
	}
	if f.current("secret-prod", "web/database/app") == nil {
		t.Error("the undo removed a secret that was in Vault before the create")
	}
	if f.current("secret-prod", "web/jwt/signing-key") != nil {
		t.Error("the undo left a secret the create wrote")
	}
}

func TestCreateRecordsWhatItCannotUndo(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.fail["put-policy web-prod"] = errDown
	f.fail["purge secret-prod/web/database/app"] = errDown
	st, warnings, err := newSyncer(f).Create(ctx, webSpec(false))
	if err == nil || st == nil || len(warnings) != 1 || warnings[0].Summary != "Create partly written" {
		t.Fatalf("state %v warnings %v err %v", st, warnings, err)
	}
	if _, ok := st.Versions["database/app"]; !ok {
		t.Errorf("the partial state does not record the secret left behind: %v", st.Versions)
	}
	// The next apply (an update from that state) converges.
	_, err = newSyncer(f).Update(ctx, st, webSpec(false))
	if err != nil || f.policies["web-prod"] == "" {
		t.Fatalf("converging update: %v, policy %q", err, f.policies["web-prod"])
	}
}

func TestCreateChecksTheMount(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		mount   *vault.MountInfo
		summary string
	}{
		"missing": {nil, "Environment mount missing"},
		"kv v1":   {&vault.MountInfo{Type: "kv", Version: "1"}, "not KV v2"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			delete(f.mounts, "secret-prod")
			if tc.mount != nil {
				f.mounts["secret-prod"] = tc.mount
			}
			_, _, err := newSyncer(f).Create(ctx, webSpec(false))
			_ = wantError(t, err, "environment", tc.summary)
			if len(f.ops) != 1 {
				t.Errorf("requests after the mount check: %v", f.ops)
			}
		})
	}
}
