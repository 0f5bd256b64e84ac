package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		status int
		errs   []string
		want   error
	}{
		"404":        {http.StatusNotFound, nil, ErrNotFound},
		"403":        {http.StatusForbidden, []string{"permission denied"}, ErrPermissionDenied},
		"cas":        {http.StatusBadRequest, []string{"check-and-set parameter did not match the current version"}, ErrCASMismatch},
		"other 400":  {http.StatusBadRequest, []string{"invalid request"}, nil},
		"server 500": {http.StatusInternalServerError, []string{"internal error"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			re := &api.ResponseError{HTTPMethod: "PUT", URL: "http://vault/v1/secret-prod/data/web/db?secret=x", StatusCode: tc.status, Errors: tc.errs}
			got := classify(fmt.Errorf("wrapped: %w", re))
			for _, s := range []error{ErrNotFound, ErrPermissionDenied, ErrCASMismatch} {
				if errors.Is(got, s) != errors.Is(tc.want, s) {
					t.Errorf("classify(%d) is %v: %v", tc.status, s, errors.Is(got, s))
				}
			}
			if strings.Contains(got.Error(), "secret=x") {
				t.Errorf("the query string leaked into the error: %v", got)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	denied := fmt.Errorf("%w: PUT /v1/x: HTTP 403", ErrPermissionDenied)
	for name, tc := range map[string]struct {
		op, path   string
		err        error
		tokenValid bool
		identity   string
		want       []string
	}{
		"denied to a login": {op: "read", path: "sys/policies/acl/x-prod", err: denied, tokenValid: true, identity: "JWT role ci-writer-prod at auth/jwt",
			want: []string{`the token from JWT role ci-writer-prod at auth/jwt lack the "read" capability`}},
		"missing capability": {op: "write (create/update)", path: "sys/policies/acl/web-prod", err: denied, tokenValid: true,
			want: []string{"Vault denied write (create/update) on sys/policies/acl/web-prod", `lack the "create/update" capability`}},
		"revoked token": {op: "read", path: "secret-prod/metadata/web/db", err: denied, tokenValid: false,
			want: []string{"token is no longer valid", "secret-prod/metadata/web/db"}},
		"no approle": {op: "write (create/update)", path: "auth/approle/role/web-prod", err: fmt.Errorf("%w: x", ErrNotFound), tokenValid: true,
			want: []string{"is the AppRole auth method enabled at auth/approle?"}},
		"no mount": {op: "read", path: "secret-qa/data/x", err: fmt.Errorf("%w: x", ErrNotFound), tokenValid: true,
			want: []string{"does the mount exist and is it KV v2?"}},
		"election": {op: "write (create/update)", path: "secret-prod/data/web/db", err: errors.New("PUT /v1/secret-prod/data/web/db: HTTP 500: local node not active but active cluster node not found"), tokenValid: true,
			want: []string{"Vault had no active node", "leader election", "the next apply picks up"}},
		"unreachable": {op: "read", path: "sys/policies/acl/x", err: errors.New("dial tcp: connection refused"), tokenValid: true,
			want: []string{"read on sys/policies/acl/x failed", "next apply picks up"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := Explain(tc.op, tc.path, tc.err, Caller{TokenValid: func() bool { return tc.tokenValid }, Identity: tc.identity, AppRoleMount: "approle"})
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Explain = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		KVDataPath("secret-prod", "web/db/app"):     "secret-prod/data/web/db/app",
		KVMetadataPath("secret-prod", "web/db/app"): "secret-prod/metadata/web/db/app",
		KVDeletePath("secret-prod", "web/db/app"):   "secret-prod/delete/web/db/app",
		RolePath("approle", "web-prod"):             "auth/approle/role/web-prod",
		AccessorDestroyPath("approle", "web-prod"):  "auth/approle/role/web-prod/secret-id-accessor/destroy",
		PolicyPath("web-prod"):                      "sys/policies/acl/web-prod",
		MountPath("/secret-prod/"):                  "sys/mounts/secret-prod",
		LoginPath("jwt"):                            "auth/jwt/login",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// The client never has more than MaxConcurrentRequests requests in flight to Vault.
func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	inflight, peak := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":{"rules":"path \"x\" {}","policy":"path \"x\" {}"}}`)
	}))
	defer srv.Close()
	c, err := New(context.Background(), Config{Address: srv.URL, Token: "t", MaxConcurrentRequests: 3})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = c.GetPolicy(context.Background(), "p")
		}()
	}
	wg.Wait()
	if peak != 3 {
		t.Errorf("%d requests in flight at most, want exactly the bound 3", peak)
	}
}

// The token goes to the configured address only: VAULT_AGENT_ADDR (which Vault's client
// prefers to the address) and VAULT_PROXY_ADDR (a proxy for every request) are not followed.
func TestNewIgnoresRedirectingEnvironment(t *testing.T) {
	hits := func(name string, got *[]string, mu *sync.Mutex) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			*got = append(*got, name+" "+r.URL.Path+" token="+fmt.Sprint(r.Header.Get("X-Vault-Token") != ""))
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"data":{"policies":["default"]}}`)
		}))
	}
	var mu sync.Mutex
	var got []string
	vaultSrv, agent, proxy := hits("vault", &got, &mu), hits("agent", &got, &mu), hits("proxy", &got, &mu)
	defer vaultSrv.Close()
	defer agent.Close()
	defer proxy.Close()
	t.Setenv("VAULT_AGENT_ADDR", agent.URL)
	t.Setenv("VAULT_PROXY_ADDR", proxy.URL)
	t.Setenv("VAULT_HTTP_PROXY", proxy.URL)
	if _, err := New(context.Background(), Config{Address: vaultSrv.URL, Token: "s.test"}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "vault /v1/auth/token/lookup-self token=true" {
		t.Fatalf("requests %v, want only the token lookup at the configured address", got)
	}
}
