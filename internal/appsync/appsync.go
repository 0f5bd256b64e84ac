// Package appsync is the Vault side of mosaic_app_secrets without Terraform: what an app's
// declaration asks for (Spec), what Terraform keeps of it (State), and the operations that make
// Vault match a Spec (Create, Update), read Vault back (Refresh), adopt an existing app
// (Discover) and remove it (Delete). It talks to Vault only through the small Vault interface,
// which internal/vault implements and the unit tests fake.
//
// It never logs or returns a secret value, a token or a secret_id.
package appsync

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// Vault is what appsync needs of Vault; *vault.Client implements it. Errors are the
// sentinels of internal/vault (vault.ErrNotFound, vault.ErrCASMismatch, vault.ErrPermissionDenied).
type Vault interface {
	MountCached(ctx context.Context, mount string) (*vault.MountInfo, error)
	KVPut(ctx context.Context, mount, rel string, data map[string]string, cas int) (int, error)
	KVPutPlain(ctx context.Context, mount, rel string, data map[string]string) (int, error)
	KVGet(ctx context.Context, mount, rel string) (map[string]string, int, error)
	KV1Get(ctx context.Context, mount, rel string) (map[string]string, error)
	KVMetadata(ctx context.Context, mount, rel string) (*vault.Metadata, error)
	KVList(ctx context.Context, mount, rel string) ([]string, error)
	KVDelete(ctx context.Context, mount, rel string) error
	KVDeleteAll(ctx context.Context, mount, rel string) error
	GetPolicy(ctx context.Context, name string) (string, error)
	PutPolicy(ctx context.Context, name, text string) error
	DeletePolicy(ctx context.Context, name string) error
	ReadRole(ctx context.Context, mount, role string) (map[string]any, error)
	WriteRole(ctx context.Context, mount, role string, params map[string]any) error
	DeleteRole(ctx context.Context, mount, role string) error
	RoleID(ctx context.Context, mount, role string) (string, error)
	NewSecretID(ctx context.Context, mount, role string, metadata map[string]string) (secretID, accessor string, err error)
	LookupSecretID(ctx context.Context, mount, role, secretID string) (string, error)
	DestroySecretIDAccessor(ctx context.Context, mount, role, accessor string) error
	ListSecretIDAccessors(ctx context.Context, mount, role string) ([]string, error)
	TokenValid(ctx context.Context) bool
	// Identity names the login for messages ("JWT role ci-writer-prod at auth/jwt"), or "".
	Identity() string
}

var _ Vault = (*vault.Client)(nil)

// AppRole is the role's settings, as the declaration spells them.
type AppRole struct {
	TokenTTL, TokenMaxTTL, SecretIDTTL  string
	SecretIDNumUses                     int64
	TokenBoundCIDRs, SecretIDBoundCIDRs []string
}

// DefaultAppRole is the policy's defaults: token_ttl 1h, token_max_ttl 4h, secret_id_ttl 0.
func DefaultAppRole() AppRole {
	d := policy.DefaultAppRole
	return AppRole{TokenTTL: d.TokenTTL, TokenMaxTTL: d.TokenMaxTTL, SecretIDTTL: d.SecretIDTTL,
		TokenBoundCIDRs: []string{}, SecretIDBoundCIDRs: []string{}}
}

// Secret is one declared secret: its fields and values, or Unknown while a plan cannot know them.
type Secret struct {
	Fields  map[string]string
	Unknown bool
}

// Spec is what a declaration asks for.
type Spec struct {
	Env, Service string
	// Secrets maps "component/secret-name" to the declared secret.
	Secrets map[string]Secret
	// WriteOnly: the values come from secrets_wo and are never kept; WOVersion says when to write them.
	WriteOnly bool
	WOVersion int64
	// ExtraReadPaths and Policy: Policy is the rendered text (policy.AppPolicy), "" while unknown.
	ExtraReadPaths []string
	Policy         string
	// Direct is access = direct-vault; AppRole, Rotation, Emergency and Grace only matter then.
	Direct   bool
	AppRole  AppRole
	Rotation *string
	// Emergency: any change rotates and destroys every other secret_id at once (a leak).
	Emergency *string
	// Grace is how long the previous secret_id stays valid after a routine rotation has
	// written the new one to the bootstrap entry (0: destroyed at once).
	Grace time.Duration
	// DeleteAllVersions purges a removed secret (every version and its metadata); by default
	// its current version is soft-deleted and `vault kv undelete` restores it.
	DeleteAllVersions bool
	// External maps keys whose values people write outside Terraform (`vault kv put`) to the
	// fields the app needs; the provider writes and reads no value of theirs.
	External map[string][]string
	// Migrate maps keys to the legacy path their values are copied from once (through the
	// provider's memory, never its state); DeleteSources soft-deletes each source once its copy
	// is made, also for copies made by an earlier apply. AllowedSources are legacy paths the
	// platform team allows although they do not name the service (allowed_migration_sources).
	Migrate        map[string]string
	DeleteSources  bool
	AllowedSources []string
}

// NewSpec is a Spec with the policy rendered from its extra read paths.
func NewSpec(env, service string, extra []string) *Spec {
	return &Spec{Env: env, Service: service, Secrets: map[string]Secret{}, ExtraReadPaths: extra,
		Policy: policy.AppPolicy(env, service, extra), AppRole: DefaultAppRole(), Grace: DefaultGrace}
}

// DefaultGrace covers the bootstrap ExternalSecret's refresh interval (1h) and a rollout: the
// pods hold the new secret_id before the previous one goes.
const DefaultGrace = 2 * time.Hour

// Statuses of a secret_id other than the current one.
const (
	// StatusPrevious: replaced by a routine rotation, valid until its grace ends.
	StatusPrevious = "previous"
	// StatusGraceEnded: a previous secret_id whose grace has ended; the next apply destroys it.
	StatusGraceEnded = "grace-ended"
	// StatusUntracked: a secret_id of the role that the provider did not mint (drift); the
	// next apply destroys it.
	StatusUntracked = "untracked"
)

// SecretID is a secret_id of the role other than the current one, by accessor (never its value).
type SecretID struct {
	Accessor, Status string
	// ValidUntil is when its grace ends (or it expires by itself, if sooner); zero when unknown.
	ValidUntil time.Time
}

// Role is the Direct-Vault part of State.
type Role struct {
	// Name is "" when Vault's role is bound to other policies than the app's (drift).
	Name     string
	Settings AppRole
	// RoleID is "" when the role is gone from Vault; Accessor "" when no valid secret_id is known.
	RoleID, Accessor string
	// Expires is when the current secret_id expires by itself (secret_id_ttl); zero for never.
	Expires             time.Time
	Rotation, Emergency *string
	// Others are the role's other secret_ids: previous ones in their grace, and those that a
	// refresh found and the next apply destroys (grace ended, untracked).
	Others []SecretID
}

// State is what Terraform keeps of an app, plus the provider's private record (Private).
type State struct {
	Env, Service string
	// Secrets holds values only for plain `secrets` (nil for secrets_wo and imports).
	Secrets  map[string]map[string]string
	Versions map[string]int
	Fields   map[string][]string
	// WOVersion is secrets_wo_version when the values are write-only.
	WOVersion *int64
	// Policy is nil when never written, "" when deleted outside Terraform.
	Policy *string
	// Role is nil for ESO apps.
	Role *Role
	// ExtraReadPaths is set by Discover (from the policy text); otherwise the declaration's.
	ExtraReadPaths []string
	// DeleteAllVersions is the declaration's choice, for Delete.
	DeleteAllVersions bool
	// External are the keys whose values people write (key -> declared fields); with the
	// migrated ones (Private.Migrated) their values are not Terraform's: their fields are in
	// Fields, no version is tracked and nothing of theirs is ever deleted.
	External map[string][]string
	Private  Private
}

// Private is what the provider keeps out of sight of plans: the versions Terraform itself wrote,
// so that a refresh can tell someone else's write from its own, and pending work.
type Private struct {
	// Written maps a secret key to the KV version Terraform wrote last.
	Written map[string]int `json:"written"`
	// Bootstrap is the KV version of the bootstrap entry Terraform wrote last.
	Bootstrap int `json:"bootstrap,omitempty"`
	// Stale lists keys whose current version was deleted or destroyed outside Terraform.
	Stale []string `json:"stale,omitempty"`
	// Rotate is set when the secret_id or the bootstrap entry must be renewed.
	Rotate bool `json:"rotate,omitempty"`
	// Retire lists secret_id accessors to destroy once the bootstrap entry holds the current
	// secret_id: replaced ones, and one minted by a rotation that could not write it.
	Retire []string `json:"retire,omitempty"`
	// Imported lists keys that import found in Vault and Terraform has not written since: an
	// apply that does not declare one leaves it in Vault and forgets it, never deletes it.
	Imported []string `json:"imported,omitempty"`
	// Migrated maps keys copied from a legacy path to that path: done, never copied again.
	Migrated map[string]string `json:"migrated,omitempty"`
	// SourcesDeleted maps migrated keys to the legacy path soft-deleted after the copy.
	SourcesDeleted map[string]string `json:"sources_deleted,omitempty"`
}

// retire records accessors to destroy once the bootstrap entry holds the current secret_id.
func (p *Private) retire(accessors ...string) {
	for _, a := range accessors {
		if a != "" && !slices.Contains(p.Retire, a) {
			p.Retire = append(p.Retire, a)
		}
	}
}

func (p *Private) isStale(key string) bool { return slices.Contains(p.Stale, key) }

func (p *Private) markStale(key string) {
	if !p.isStale(key) {
		p.Stale = append(p.Stale, key)
	}
}

func (p *Private) clearStale(key string) {
	p.Stale = slices.DeleteFunc(p.Stale, func(k string) bool { return k == key })
}

// NewState is the empty state of an app.
func NewState(env, service string) *State {
	return &State{Env: env, Service: service, Versions: map[string]int{}, Fields: map[string][]string{},
		Private: Private{Written: map[string]int{}}}
}

// Mount is the app's environment mount.
func (s *State) Mount() string { return policy.MountOf(s.Env) }

// Name is the app's policy and role name.
func (s *State) Name() string { return policy.PolicyName(s.Env, s.Service) }

func (s *State) clone() *State {
	c := *s
	c.Secrets = cloneSecrets(s.Secrets)
	c.Versions = maps.Clone(s.Versions)
	c.Fields = maps.Clone(s.Fields)
	c.Private.Written = maps.Clone(s.Private.Written)
	c.Private.Stale = slices.Clone(s.Private.Stale)
	c.Private.Retire = slices.Clone(s.Private.Retire)
	c.Private.Imported = slices.Clone(s.Private.Imported)
	c.External = maps.Clone(s.External)
	c.Private.Migrated = maps.Clone(s.Private.Migrated)
	c.Private.SourcesDeleted = maps.Clone(s.Private.SourcesDeleted)
	if s.Role != nil {
		r := *s.Role
		r.Others = slices.Clone(s.Role.Others)
		c.Role = &r
	}
	if c.Versions == nil {
		c.Versions = map[string]int{}
	}
	if c.Fields == nil {
		c.Fields = map[string][]string{}
	}
	if c.Private.Written == nil {
		c.Private.Written = map[string]int{}
	}
	return &c
}

func cloneSecrets(m map[string]map[string]string) map[string]map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]map[string]string, len(m))
	for k, v := range m {
		out[k] = maps.Clone(v)
	}
	return out
}

// Warning is something a refresh or an apply found that the user should see: drift, an undo.
type Warning struct{ Summary, Detail string }

// Error is a failure with what a person needs to fix it. Attribute names the declaration's
// attribute at fault ("environment", "secrets", "bootstrap_path"; "" for none) and Key the
// secret key under "secrets".
type Error struct {
	Attribute, Key  string
	Summary, Detail string
}

func (e *Error) Error() string { return e.Summary + ": " + e.Detail }

// Syncer runs the operations against one Vault.
type Syncer struct {
	V            Vault
	AppRoleMount string
	// Now is the clock (time.Now when nil): when a grace ends, when a secret_id expires.
	Now func() time.Time
}

func (s *Syncer) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}

// explain is vault.Explain with this syncer's token check and AppRole mount; grant (optional)
// says who may grant a denied capability.
func (s *Syncer) explain(ctx context.Context, op, vaultPath string, err error, grant string) string {
	return vault.Explain(op, vaultPath, err, vault.Caller{
		TokenValid: func() bool { return s.V.TokenValid(ctx) }, Identity: s.V.Identity(), AppRoleMount: s.AppRoleMount, Grant: grant})
}

func (s *Syncer) fail(ctx context.Context, summary, op, vaultPath string, err error) *Error {
	return &Error{Summary: summary, Detail: s.explain(ctx, op, vaultPath, err, "")}
}

// MigrationGrant is what a migration needs, for a denied request on a legacy path: the CI
// writer of an environment cannot read legacy paths, by design.
const MigrationGrant = "A migration runs with an identity that can read (KV v2: `read` on {mount}/data/{path}; KV v1: `read` on {mount}/{path}) " +
	"and, with migrate_delete_source, soft-delete (`delete` on {mount}/data/{path}) the legacy path, and that writes the app's canonical path " +
	"(`create`, `update` on secret-{env}/data/{service}/*): the environment's CI writer cannot read legacy paths, so the platform team runs " +
	"the migration with its own token, or grants a migration policy for the time of the move. The values pass through the provider's memory, never its state."

// failMigration is fail for a request on a legacy path, with the migration's needs in the hint.
func (s *Syncer) failMigration(ctx context.Context, key, summary, op, vaultPath string, err error) *Error {
	return &Error{Attribute: "migrate_from", Key: key, Summary: summary, Detail: s.explain(ctx, op, vaultPath, err, MigrationGrant)}
}

func ownerMetadata(env, service string) map[string]string {
	return map[string]string{"managed-by": "terraform-provider-mosaic", "environment": env, "service": service}
}

func errorf(attr, key, summary, format string, args ...any) *Error {
	return &Error{Attribute: attr, Key: key, Summary: summary, Detail: fmt.Sprintf(format, args...)}
}
