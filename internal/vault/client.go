// Package vault is the provider's thin wrapper over github.com/hashicorp/vault/api: one client
// per provider, every call takes a context, and Vault's quiet cases (a 404 read returning
// (nil, nil), an empty policy, a soft-deleted KV version) come back as ErrNotFound.
//
// Nothing here logs or returns a secret value, a token or a secret_id in an error.
package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// ErrNotFound is returned when the object does not exist in Vault.
var ErrNotFound = errors.New("not found in Vault")

// ErrCASMismatch is returned when a KV v2 check-and-set write finds another version than expected.
var ErrCASMismatch = errors.New("check-and-set version mismatch")

// ErrPermissionDenied is returned on a 403.
var ErrPermissionDenied = errors.New("permission denied")

// Login is how the provider logs in instead of using a token: an auth method at Mount and the
// parameters of its login endpoint. Method names it in messages ("AppRole", "JWT").
type Login struct {
	Method, Mount string
	// Role names the role logged in as, for messages ("" when the method has none).
	Role   string
	Params map[string]any
}

// AppRoleLogin is the login of a CI pipeline with an AppRole.
func AppRoleLogin(mount, roleID, secretID string) *Login {
	if mount == "" {
		mount = policy.DefaultAppRoleMount
	}
	return &Login{Method: "AppRole", Mount: mount, Params: map[string]any{"role_id": roleID, "secret_id": secretID}}
}

// JWTLogin is the login with a signed JWT (a GitHub Actions or GitLab ID token, a Kubernetes
// service account token) as role of the JWT auth method at mount.
func JWTLogin(mount, role, jwt string) *Login {
	if mount == "" {
		mount = "jwt"
	}
	return &Login{Method: "JWT", Mount: mount, Role: role, Params: map[string]any{"role": role, "jwt": jwt}}
}

// Config is what the provider block resolves to.
type Config struct {
	Address       string
	Token         string
	Namespace     string
	CACertFile    string
	CACertDir     string
	SkipTLSVerify bool
	TLSServerName string
	// ClientCert and ClientKey are PEM files of a client certificate for TLS (mutual TLS).
	ClientCert, ClientKey string
	MaxRetries            int
	// MaxConcurrentRequests bounds the requests in flight to Vault at once, over every
	// resource of a plan or apply; zero means DefaultMaxConcurrentRequests.
	MaxConcurrentRequests int
	Login                 *Login
	// Timeout bounds each HTTP request; zero means 60s.
	Timeout time.Duration
}

// Client is the provider's one Vault client, built on first use (see provider.providerData.Client).
type Client struct {
	api *api.Client
	// identity says who the client is, for messages: "JWT role ci-writer-prod at auth/jwt".
	identity string
	// mounts caches found mounts for the life of the provider process (one plan or apply).
	mountsMu sync.Mutex
	mounts   map[string]*MountInfo
}

// TokenFromHelperFile reads ~/.vault-token, the file `vault login` writes; "" when absent.
func TokenFromHelperFile() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(home, ".vault-token"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// New builds the client, logs in with the AppRole when one is given, or else checks that Vault
// answers and accepts the token (one lookup-self request), so that a bad address or token is
// one clear error at configure time rather than a failure in the middle of an apply.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Address == "" {
		return nil, errors.New("no Vault address: set address in the provider block or VAULT_ADDR")
	}
	conf := api.DefaultConfig()
	if conf.Error != nil {
		return nil, fmt.Errorf("reading the Vault environment: %w", conf.Error)
	}
	// DefaultConfig reads VAULT_AGENT_ADDR (which NewClient prefers to the address) and
	// VAULT_PROXY_ADDR / VAULT_HTTP_PROXY (a proxy for every request): the token would go there.
	// Only cfg.Address counts; the provider refuses those variables beside an address.
	conf.AgentAddress = ""
	if t, ok := conf.HttpClient.Transport.(*http.Transport); ok {
		t.Proxy = http.ProxyFromEnvironment
	}
	conf.Address = cfg.Address
	conf.MaxRetries = cfg.MaxRetries
	conf.MinRetryWait = 250 * time.Millisecond
	conf.MaxRetryWait = 2 * time.Second
	conf.Timeout = cfg.Timeout
	if conf.Timeout == 0 {
		conf.Timeout = 60 * time.Second
	}
	if (cfg.ClientCert == "") != (cfg.ClientKey == "") {
		return nil, errors.New("client_auth needs both cert_file and key_file (or VAULT_CLIENT_CERT and VAULT_CLIENT_KEY)")
	}
	if err := conf.ConfigureTLS(&api.TLSConfig{CACert: cfg.CACertFile, CAPath: cfg.CACertDir, Insecure: cfg.SkipTLSVerify,
		TLSServerName: cfg.TLSServerName, ClientCert: cfg.ClientCert, ClientKey: cfg.ClientKey}); err != nil {
		return nil, fmt.Errorf("configuring TLS (ca_cert_file %q, ca_cert_dir %q, client_auth %q): %w", cfg.CACertFile, cfg.CACertDir, cfg.ClientCert, err)
	}
	// One client per provider, its connections kept alive: Terraform runs up to -parallelism
	// (default 10) operations at once, more than the pooled transport's default of
	// GOMAXPROCS+1 idle connections per host.
	if t, ok := conf.HttpClient.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = 64
	}
	limit := cfg.MaxConcurrentRequests
	if limit <= 0 {
		limit = DefaultMaxConcurrentRequests
	}
	conf.HttpClient.Transport = &limitedTransport{next: conf.HttpClient.Transport, slots: make(chan struct{}, limit)}
	c, err := api.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("building the Vault client for %s: %w", cfg.Address, err)
	}
	c.ClearToken() // never pick up a token the caller did not resolve explicitly
	c.SetNamespace(cfg.Namespace)

	switch {
	case cfg.Login != nil:
		token, err := login(ctx, c, cfg.Login)
		if err != nil {
			return nil, err
		}
		// The login's own token is used as it is: no child token is made, so the token's
		// policies and TTL are exactly those of the role logged in with.
		c.SetToken(token)
		return &Client{api: c, identity: cfg.Login.Describe()}, nil // the login proved Vault answers
	case cfg.Token != "":
		c.SetToken(cfg.Token)
	default:
		return nil, errors.New("no Vault token: set token, auth_login_jwt, auth_login_approle or auth_login_token_file in the provider block, VAULT_TOKEN, or log in with `vault login` (~/.vault-token)")
	}

	if _, err := c.Auth().Token().LookupSelfWithContext(ctx); err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
			return nil, fmt.Errorf("Vault at %s rejected the token (expired, revoked or wrong): set a valid token or VAULT_TOKEN", cfg.Address)
		}
		if errors.As(err, &re) {
			return nil, fmt.Errorf("Vault at %s answered the token lookup with HTTP %d: %w", cfg.Address, re.StatusCode, redactErr(err))
		}
		return nil, fmt.Errorf("Vault at %s is unreachable (check address / VAULT_ADDR, TLS settings and that Vault is running): %w", cfg.Address, err)
	}
	return &Client{api: c}, nil
}

// Describe names the login for messages: "JWT role ci-writer-prod at auth/jwt".
func (l *Login) Describe() string {
	if l.Role != "" {
		return fmt.Sprintf("%s role %s at auth/%s", l.Method, l.Role, l.Mount)
	}
	return fmt.Sprintf("%s at auth/%s", l.Method, l.Mount)
}

// login logs in at the login endpoint of l and returns the token. A refusal names the role and
// keeps Vault's reason (a claim that does not match, an expired token, a wrong audience).
func login(ctx context.Context, c *api.Client, l *Login) (string, error) {
	secret, err := c.Logical().WriteWithContext(ctx, LoginPath(l.Mount), l.Params)
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
			return "", fmt.Errorf("%s: login failed: no %s auth method is mounted at auth/%s (set mount in the provider's login block): %w", l.Describe(), l.Method, l.Mount, redactErr(err))
		}
		check := "role_id and secret_id"
		if l.Method == "JWT" {
			check = "the JWT's signature, issuer, audience and expiry, and the role's bound claims"
		}
		return "", fmt.Errorf("%s: login failed: Vault refused the credentials (check %s): %w. Nothing was written", l.Describe(), check, redactErr(err))
	}
	if secret == nil || secret.Auth == nil || secret.Auth.ClientToken == "" {
		return "", fmt.Errorf("%s: login returned no token", l.Describe())
	}
	return secret.Auth.ClientToken, nil
}

// Identity says who the client is logged in as, for messages; "" for a given token.
func (c *Client) Identity() string { return c.identity }

// DefaultMaxConcurrentRequests is the default bound on requests in flight to Vault: polite to a
// shared Vault, and enough for Terraform's default -parallelism of 10 with several reads each.
const DefaultMaxConcurrentRequests = 32

// limitedTransport lets at most cap(slots) requests be in flight at once.
type limitedTransport struct {
	next  http.RoundTripper
	slots chan struct{}
}

func (l *limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	select {
	case l.slots <- struct{}{}:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	defer func() { <-l.slots }()
	return l.next.RoundTrip(r)
}

// TokenValid reports whether Vault still accepts the client's token (one lookup-self); used to
// tell a revoked or expired token from a missing capability after a 403.
func (c *Client) TokenValid(ctx context.Context) bool {
	_, err := c.api.Auth().Token().LookupSelfWithContext(ctx)
	return err == nil
}

// classify maps Vault's answers onto the package's sentinels.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var re *api.ResponseError
	if errors.As(err, &re) {
		switch {
		case re.StatusCode == http.StatusNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, redactErr(err))
		case re.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%w: %w", ErrPermissionDenied, redactErr(err))
		case re.StatusCode == http.StatusBadRequest && strings.Contains(strings.Join(re.Errors, " "), "check-and-set"):
			return fmt.Errorf("%w: %w", ErrCASMismatch, redactErr(err))
		}
	}
	return redactErr(err)
}

// redactErr keeps Vault's error lines and the request line, and drops everything else, so that
// no header or body can leak through an error message.
func redactErr(err error) error {
	var re *api.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	return &responseError{method: re.HTTPMethod, url: re.URL, status: re.StatusCode, errs: re.Errors}
}

type responseError struct {
	method, url string
	status      int
	errs        []string
}

func (e *responseError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d", e.method, stripQuery(e.url), e.status)
	if len(e.errs) > 0 {
		msg += ": " + strings.Join(e.errs, "; ")
	}
	return msg
}

func stripQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
