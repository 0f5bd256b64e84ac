package provider

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// providerData is what resources receive: the resolved configuration and a Vault client that
// is built on first use, so that functions and rendering data sources work without Vault.
type providerData struct {
	cfg                 vault.Config
	approleMount        string
	allowedEnvironments []string
	// allowedMigrationSources are legacy paths migrate_from may copy without naming the service.
	allowedMigrationSources []string

	once   sync.Once
	client *vault.Client
	err    error

	// claimed holds the IDs of the apps created by this provider process: two declarations of
	// one app in one configuration are refused instead of fighting over it.
	claimed sync.Map
}

// claim records that an app is being created by this process; false when it already was.
func (d *providerData) claim(id string) bool {
	_, taken := d.claimed.LoadOrStore(id, true)
	return !taken
}

// Client returns the provider's one Vault client, building it (and checking the token) on first use.
func (d *providerData) Client(ctx context.Context) (*vault.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	d.once.Do(func() {
		tflog.Debug(ctx, "building the Vault client", map[string]any{
			"address": d.cfg.Address, "namespace": d.cfg.Namespace, "login": d.cfg.Login != nil,
		})
		d.client, d.err = vault.New(ctx, d.cfg)
	})
	if d.err != nil {
		diags.AddError("Cannot use Vault", d.err.Error())
	}
	return d.client, diags
}

// EnvironmentAllowed reports whether the workspace lock lets this configuration write env.
func (d *providerData) EnvironmentAllowed(env string) bool {
	if len(d.allowedEnvironments) == 0 {
		return true
	}
	for _, e := range d.allowedEnvironments {
		if e == env {
			return true
		}
	}
	return false
}

func stringOr(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString()
	}
	return os.Getenv(env)
}

// resolveConfig turns the provider block and the VAULT_* environment into the client's
// configuration. Explicit arguments beat the environment. Logins take precedence over a token:
// auth_login_jwt, then auth_login_approle, then auth_login_token_file; else the token argument,
// then the file named by TERRAFORM_VAULT_TOKEN_FILENAME, VAULT_TOKEN, ~/.vault-token.
func resolveConfig(m *MosaicProviderModel, diags *diag.Diagnostics) vault.Config {
	for name, v := range map[string]types.String{"address": m.Address, "token": m.Token, "namespace": m.Namespace} {
		if v.IsUnknown() {
			diags.AddAttributeError(path.Root(name), "Unknown provider "+name,
				"The provider's "+name+" is not known until apply. Set it from a variable or the environment instead.")
		}
	}
	cfg := vault.Config{
		Address:       stringOr(m.Address, "VAULT_ADDR"),
		Namespace:     stringOr(m.Namespace, "VAULT_NAMESPACE"),
		CACertFile:    stringOr(m.CACertFile, "VAULT_CACERT"),
		CACertDir:     stringOr(m.CACertDir, "VAULT_CAPATH"),
		TLSServerName: stringOr(m.TLSServerName, "VAULT_TLS_SERVER_NAME"),
		ClientCert:    os.Getenv("VAULT_CLIENT_CERT"),
		ClientKey:     os.Getenv("VAULT_CLIENT_KEY"),
		MaxRetries:    2,
	}
	if c := m.ClientAuth; c != nil {
		cfg.ClientCert, cfg.ClientKey = c.CertFile.ValueString(), c.KeyFile.ValueString()
		if cfg.ClientCert == "" || cfg.ClientKey == "" {
			diags.AddAttributeError(path.Root("client_auth"), "Incomplete client_auth", "client_auth needs both cert_file and key_file.")
		}
	}
	if b, ok := boolOr(m.SkipTLSVerify, "VAULT_SKIP_VERIFY", diags); ok {
		cfg.SkipTLSVerify = b
	}
	switch {
	case !m.MaxRetries.IsNull():
		cfg.MaxRetries = int(m.MaxRetries.ValueInt64())
	case os.Getenv("VAULT_MAX_RETRIES") != "":
		n, err := strconv.Atoi(os.Getenv("VAULT_MAX_RETRIES"))
		if err != nil {
			diags.AddError("Invalid VAULT_MAX_RETRIES", "VAULT_MAX_RETRIES must be a whole number, not "+strconv.Quote(os.Getenv("VAULT_MAX_RETRIES"))+".")
		}
		cfg.MaxRetries = n
	}
	if cfg.MaxRetries < 0 {
		diags.AddAttributeError(path.Root("max_retries"), "Invalid max_retries", "max_retries (or VAULT_MAX_RETRIES) must be 0 or more.")
	}
	if !m.MaxConcurrent.IsNull() {
		if m.MaxConcurrent.ValueInt64() < 1 {
			diags.AddAttributeError(path.Root("max_concurrent_requests"), "Invalid max_concurrent_requests", "max_concurrent_requests must be 1 or more.")
		}
		cfg.MaxConcurrentRequests = int(m.MaxConcurrent.ValueInt64())
	}
	cfg.Address = resolveAddress(cfg.Address, !m.Address.IsNull(), diags)
	cfg.Login, cfg.Token = loginOf(m, diags)
	return cfg
}

// redirectingEnv are the variables with which Vault's Go client would send every request (and
// the token) somewhere else than the address: an agent's listener, or an HTTP proxy.
var redirectingEnv = []string{"VAULT_AGENT_ADDR", "VAULT_PROXY_ADDR", "VAULT_HTTP_PROXY"}

// resolveAddress applies the rule that nothing redirects the address silently: with an address
// (the argument or VAULT_ADDR) and VAULT_AGENT_ADDR, VAULT_PROXY_ADDR or VAULT_HTTP_PROXY set, it is
// an error; VAULT_AGENT_ADDR alone is the address. The client neutralises them (vault.New).
func resolveAddress(address string, explicit bool, diags *diag.Diagnostics) string {
	source := "VAULT_ADDR"
	if explicit {
		source = "the provider's address"
	}
	for _, env := range redirectingEnv {
		v := os.Getenv(env)
		switch {
		case v == "":
		case address != "":
			diags.AddAttributeError(path.Root("address"), "Vault address redirected by "+env,
				fmt.Sprintf("%s is %q, and %s is set to %q: Vault's client would send every request, the token with it, there instead. "+
					"The provider refuses to guess: unset %s, or remove the address and use the agent's listener as the address (VAULT_ADDR or address).",
					source, address, env, v, env))
		case env == "VAULT_AGENT_ADDR":
			address = v // no other address: the agent's listener is the address, stated, not silent
		}
	}
	return address
}

// loginOf resolves the login block, or the token when there is none.
func loginOf(m *MosaicProviderModel, diags *diag.Diagnostics) (*vault.Login, string) {
	switch {
	case m.AuthLoginJWT != nil:
		j := m.AuthLoginJWT
		jwt := stringOr(j.JWT, "TERRAFORM_VAULT_AUTH_JWT")
		if j.Role.ValueString() == "" || strings.TrimSpace(jwt) == "" {
			diags.AddAttributeError(path.Root("auth_login_jwt"), "Incomplete auth_login_jwt",
				"auth_login_jwt needs role and jwt (or TERRAFORM_VAULT_AUTH_JWT), known at plan time.")
			return nil, ""
		}
		return vault.JWTLogin(j.Mount.ValueString(), j.Role.ValueString(), strings.TrimSpace(jwt)), ""
	case m.AuthLoginAppRole != nil:
		a := m.AuthLoginAppRole
		if a.RoleID.ValueString() == "" || a.SecretID.ValueString() == "" {
			diags.AddAttributeError(path.Root("auth_login_approle"), "Incomplete auth_login_approle",
				"auth_login_approle needs both role_id and secret_id (known at plan time).")
			return nil, ""
		}
		return vault.AppRoleLogin(a.Mount.ValueString(), a.RoleID.ValueString(), a.SecretID.ValueString()), ""
	case m.AuthLoginTokenFile != nil:
		return nil, readTokenFile(stringOr(m.AuthLoginTokenFile.Filename, "TERRAFORM_VAULT_TOKEN_FILENAME"), diags)
	case !m.Token.IsNull() && m.Token.ValueString() != "":
		return nil, m.Token.ValueString()
	case os.Getenv("TERRAFORM_VAULT_TOKEN_FILENAME") != "":
		return nil, readTokenFile(os.Getenv("TERRAFORM_VAULT_TOKEN_FILENAME"), diags)
	}
	token := os.Getenv("VAULT_TOKEN")
	if token == "" {
		token = vault.TokenFromHelperFile()
	}
	return nil, token
}

// readTokenFile reads a token file (Vault Agent's sink). A symlink, or a file that others may
// read or anyone but its owner may write, is refused: the token may already be exposed, or the
// file swapped for another identity's token. A group-readable one (Vault Agent's default sink
// mode is 0640) is used, with a warning.
func readTokenFile(name string, diags *diag.Diagnostics) string {
	at := path.Root("auth_login_token_file")
	fi, err := os.Lstat(name)
	if err == nil && runtime.GOOS != "windows" {
		mode := fi.Mode()
		switch {
		case mode&os.ModeSymlink != 0:
			diags.AddAttributeError(at, "Token file is a symlink",
				fmt.Sprintf("The token file %q is a symbolic link: whoever can change the link chooses the token the provider uses. Point the filename at the file itself (the sink's own path).", name))
			return ""
		case mode.Perm()&0o027 != 0:
			diags.AddAttributeError(at, "Token file open to others",
				fmt.Sprintf("The token file %q has mode %04o: other users may read it (or someone but its owner may change it), so the token may already be exposed. "+
					"Make it private (`chmod 600`, or the sink's mode = 0600), revoke the token if others could read it, and run again.", name, mode.Perm()))
			return ""
		case mode.Perm()&0o040 != 0:
			diags.AddAttributeWarning(at, "Token file readable by its group",
				fmt.Sprintf("The token file %q has mode %04o: members of its group can read the token. Prefer mode 0600 (Vault Agent's file sink: mode = 0600).", name, mode.Perm()))
		}
	}
	b, err := os.ReadFile(name)
	if err != nil || strings.TrimSpace(string(b)) == "" {
		diags.AddAttributeError(at, "Cannot read the token file",
			"The token file "+strconv.Quote(name)+" (auth_login_token_file or TERRAFORM_VAULT_TOKEN_FILENAME) cannot be read or is empty. Is Vault Agent's sink writing it?")
		return ""
	}
	return strings.TrimSpace(string(b))
}

// boolOr is a bool attribute, else the environment variable env; ok is false when neither is set.
func boolOr(v types.Bool, env string, diags *diag.Diagnostics) (value, ok bool) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), true
	}
	s := os.Getenv(env)
	if s == "" {
		return false, false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		diags.AddError("Invalid "+env, env+" must be true or false, not "+strconv.Quote(s)+".")
		return false, false
	}
	return b, true
}
