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

// AppRoleLogin is the AppRole a CI pipeline logs in with.
type AppRoleLogin struct {
	Mount, RoleID, SecretID string
}

// Config is what the provider block resolves to.
type Config struct {
	Address       string
	Token         string
	Namespace     string
	CACertFile    string
	CACertDir     string
	SkipTLSVerify bool
	MaxRetries    int
	Login         *AppRoleLogin
	// Timeout bounds each HTTP request; zero means 60s.
	Timeout time.Duration
}

// Client is the provider's one Vault client, built on first use (see provider.providerData.Client).
type Client struct {
	api *api.Client
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
	conf.Address = cfg.Address
	conf.MaxRetries = cfg.MaxRetries
	conf.MinRetryWait = 250 * time.Millisecond
	conf.MaxRetryWait = 2 * time.Second
	conf.Timeout = cfg.Timeout
	if conf.Timeout == 0 {
		conf.Timeout = 60 * time.Second
	}
	if err := conf.ConfigureTLS(&api.TLSConfig{CACert: cfg.CACertFile, CAPath: cfg.CACertDir, Insecure: cfg.SkipTLSVerify}); err != nil {
		return nil, fmt.Errorf("configuring TLS (ca_cert_file %q, ca_cert_dir %q): %w", cfg.CACertFile, cfg.CACertDir, err)
	}
	// One client per provider, its connections kept alive: Terraform runs up to -parallelism
	// (default 10) operations at once, more than the pooled transport's default of
	// GOMAXPROCS+1 idle connections per host.
	if t, ok := conf.HttpClient.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = 64
	}
	c, err := api.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("building the Vault client for %s: %w", cfg.Address, err)
	}
	c.ClearToken() // never pick up a token the caller did not resolve explicitly
	c.SetNamespace(cfg.Namespace)

	switch {
	case cfg.Login != nil:
		mount := cfg.Login.Mount
		if mount == "" {
			mount = policy.DefaultAppRoleMount
		}
		secret, err := c.Logical().WriteWithContext(ctx, LoginPath(mount), map[string]any{
			"role_id": cfg.Login.RoleID, "secret_id": cfg.Login.SecretID,
		})
		if err != nil {
			return nil, fmt.Errorf("AppRole login at auth/%s/login failed (check auth_login_approle role_id and secret_id, and that the AppRole auth method is mounted at %q): %w", mount, mount, redactErr(err))
		}
		if secret == nil || secret.Auth == nil || secret.Auth.ClientToken == "" {
			return nil, fmt.Errorf("AppRole login at auth/%s/login returned no token", mount)
		}
		c.SetToken(secret.Auth.ClientToken)
	case cfg.Token != "":
		c.SetToken(cfg.Token)
	default:
		return nil, errors.New("no Vault token: set token or auth_login_approle in the provider block, VAULT_TOKEN, or log in with `vault login` (~/.vault-token)")
	}

	if cfg.Login != nil {
		return &Client{api: c}, nil // the login just proved Vault answers and issued this token
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
