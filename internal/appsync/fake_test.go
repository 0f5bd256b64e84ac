package appsync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// fakeVault is an in-memory Vault with the KV v2, ACL policy and AppRole behaviour appsync
// relies on. It records every call (ops) and can fail one: fail[op] is consulted before the
// call (the request is lost) and lose[op] after it (the request took effect, the answer is lost).
type fakeVault struct {
	mu        sync.Mutex // refreshes read concurrently
	mounts    map[string]*vault.MountInfo
	kv        map[string]*kvSecret // "mount/rel"
	kv1       map[string]map[string]string
	policies  map[string]string
	roles     map[string]map[string]any
	roleIDs   map[string]string
	secretIDs map[string]map[string]string // role -> accessor -> secret_id
	// expires maps "role/accessor" to when that secret_id expires (the role's secret_id_ttl at
	// mint); clock is the fake's time, which a test moves on.
	expires map[string]time.Time
	clock   time.Time
	next    int
	ops     []string
	fail    map[string]error
	lose    map[string]error
	tokenOK bool
	// delay makes every call take this long, without holding the lock, so that concurrent
	// calls overlap; inflight and maxInflight count them.
	delay                 time.Duration
	inflight, maxInflight int
}

type kvSecret struct {
	versions []kvVersion
}

type kvVersion struct {
	data    map[string]string
	deleted bool
}

func newFake() *fakeVault {
	f := &fakeVault{
		mounts: map[string]*vault.MountInfo{}, kv: map[string]*kvSecret{}, kv1: map[string]map[string]string{}, policies: map[string]string{},
		roles: map[string]map[string]any{}, roleIDs: map[string]string{}, secretIDs: map[string]map[string]string{},
		expires: map[string]time.Time{}, clock: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
		fail: map[string]error{}, lose: map[string]error{}, tokenOK: true,
	}
	for _, env := range []string{"dev", "staging", "prod"} {
		f.mounts["secret-"+env] = &vault.MountInfo{Type: "kv", Version: "2"}
	}
	f.mounts["secret"] = &vault.MountInfo{Type: "kv", Version: "2"} // the legacy layout
	f.mounts["legacy"] = &vault.MountInfo{Type: "kv", Version: "1"}
	f.mounts["pki"] = &vault.MountInfo{Type: "pki"}
	return f
}

var errDown = errors.New("connection refused")

func denied(path string) error {
	return fmt.Errorf("%w: PUT %s: HTTP 403", vault.ErrPermissionDenied, path)
}

// call records op and returns the error to fail it with before it runs.
func (f *fakeVault) call(op string) error {
	if f.delay > 0 {
		f.inflight++
		f.maxInflight = max(f.maxInflight, f.inflight)
		f.mu.Unlock()
		time.Sleep(f.delay)
		f.mu.Lock()
		f.inflight--
	}
	f.ops = append(f.ops, op)
	if err, ok := f.fail[op]; ok {
		delete(f.fail, op)
		return err
	}
	if err, ok := f.fail["*"]; ok {
		return err
	}
	return nil
}

// after returns the error that replaces the answer of op (the call took effect).
func (f *fakeVault) after(op string) error {
	if err, ok := f.lose[op]; ok {
		delete(f.lose, op)
		return err
	}
	return nil
}

// put writes a secret as someone outside Terraform would.
func (f *fakeVault) put(mount, rel string, data map[string]string) int {
	s := f.kv[mount+"/"+rel]
	if s == nil {
		s = &kvSecret{}
		f.kv[mount+"/"+rel] = s
	}
	s.versions = append(s.versions, kvVersion{data: maps.Clone(data)})
	return len(s.versions)
}

func (f *fakeVault) current(mount, rel string) map[string]string {
	s := f.kv[mount+"/"+rel]
	if s == nil || len(s.versions) == 0 || s.versions[len(s.versions)-1].deleted {
		return nil
	}
	return s.versions[len(s.versions)-1].data
}

func (f *fakeVault) MountCached(_ context.Context, mount string) (*vault.MountInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("mount " + mount); err != nil {
		return nil, err
	}
	if m, ok := f.mounts[mount]; ok {
		return m, nil
	}
	return nil, vault.ErrNotFound
}

func (f *fakeVault) KVPut(_ context.Context, mount, rel string, data map[string]string, cas int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("put " + mount + "/" + rel); err != nil {
		return 0, err
	}
	cur := 0
	if s := f.kv[mount+"/"+rel]; s != nil {
		cur = len(s.versions)
	}
	if cas != cur {
		return 0, fmt.Errorf("%w: check-and-set parameter did not match the current version", vault.ErrCASMismatch)
	}
	v := f.put(mount, rel, data)
	return v, f.after("put " + mount + "/" + rel)
}

func (f *fakeVault) KVPutPlain(_ context.Context, mount, rel string, data map[string]string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("put " + mount + "/" + rel); err != nil {
		return 0, err
	}
	v := f.put(mount, rel, data)
	return v, f.after("put " + mount + "/" + rel)
}

func (f *fakeVault) KVGet(_ context.Context, mount, rel string) (map[string]string, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("get " + mount + "/" + rel); err != nil {
		return nil, 0, err
	}
	d := f.current(mount, rel)
	if d == nil {
		return nil, 0, vault.ErrNotFound
	}
	return maps.Clone(d), len(f.kv[mount+"/"+rel].versions), nil
}

func (f *fakeVault) KV1Get(_ context.Context, mount, rel string) (map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("get1 " + mount + "/" + rel); err != nil {
		return nil, err
	}
	d, ok := f.kv1[mount+"/"+rel]
	if !ok {
		return nil, vault.ErrNotFound
	}
	return maps.Clone(d), nil
}

func (f *fakeVault) KVMetadata(_ context.Context, mount, rel string) (*vault.Metadata, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("meta " + mount + "/" + rel); err != nil {
		return nil, err
	}
	s := f.kv[mount+"/"+rel]
	if s == nil {
		return nil, vault.ErrNotFound
	}
	return &vault.Metadata{CurrentVersion: len(s.versions), CurrentLive: !s.versions[len(s.versions)-1].deleted}, nil
}

func (f *fakeVault) KVList(_ context.Context, mount, rel string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("list " + mount + "/" + rel); err != nil {
		return nil, err
	}
	prefix := mount + "/" + rel + "/"
	seen := map[string]bool{}
	for k := range f.kv {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if first, _, deeper := strings.Cut(rest, "/"); deeper {
			seen[first+"/"] = true
		} else {
			seen[rest] = true
		}
	}
	if len(seen) == 0 {
		return nil, vault.ErrNotFound
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

func (f *fakeVault) KVDelete(_ context.Context, mount, rel string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("delete " + mount + "/" + rel); err != nil {
		return err
	}
	if s := f.kv[mount+"/"+rel]; s != nil {
		s.versions[len(s.versions)-1].deleted = true
	}
	return f.after("delete " + mount + "/" + rel)
}

func (f *fakeVault) KVDeleteAll(_ context.Context, mount, rel string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("purge " + mount + "/" + rel); err != nil {
		return err
	}
	delete(f.kv, mount+"/"+rel)
	return f.after("purge " + mount + "/" + rel)
}

func (f *fakeVault) GetPolicy(_ context.Context, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("get-policy " + name); err != nil {
		return "", err
	}
	if t, ok := f.policies[name]; ok {
		return t, nil
	}
	return "", vault.ErrNotFound
}

func (f *fakeVault) PutPolicy(_ context.Context, name, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("put-policy " + name); err != nil {
		return err
	}
	f.policies[name] = text
	return f.after("put-policy " + name)
}

func (f *fakeVault) DeletePolicy(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("delete-policy " + name); err != nil {
		return err
	}
	delete(f.policies, name)
	return nil
}

func (f *fakeVault) ReadRole(_ context.Context, _, role string) (map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("read-role " + role); err != nil {
		return nil, err
	}
	r, ok := f.roles[role]
	if !ok {
		return nil, vault.ErrNotFound
	}
	return r, nil
}

func (f *fakeVault) WriteRole(_ context.Context, _, role string, params map[string]any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("write-role " + role); err != nil {
		return err
	}
	// Vault answers durations in seconds and lists as []any.
	r := map[string]any{}
	for k, v := range params {
		switch x := v.(type) {
		case []string:
			l := make([]any, len(x))
			for i, s := range x {
				l[i] = s
			}
			r[k] = l
		case string:
			r[k] = float64(seconds(x))
		default:
			r[k] = v
		}
	}
	f.roles[role] = r
	if _, ok := f.roleIDs[role]; !ok {
		f.next++
		f.roleIDs[role] = fmt.Sprintf("role-id-%d", f.next)
		f.secretIDs[role] = map[string]string{}
	}
	return f.after("write-role " + role)
}

func seconds(s string) int64 {
	if s == "" {
		return 0
	}
	d, err := policy.ParseDuration("fake", s)
	if err != nil {
		panic("fake: unknown duration " + s)
	}
	return int64(d / time.Second)
}

// now is the fake's clock.
func (f *fakeVault) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

// advance moves the fake's clock on.
func (f *fakeVault) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(d)
}

// expire drops the role's secret_ids whose TTL has run out, as Vault refuses them (the lock is held).
func (f *fakeVault) expire(role string) {
	for acc := range f.secretIDs[role] {
		if e, ok := f.expires[role+"/"+acc]; ok && !f.clock.Before(e) {
			delete(f.secretIDs[role], acc)
		}
	}
}

// login plays the app web in prod: whether secretID logs in now.
func (f *fakeVault) login(secretID string) bool {
	const role = "web-prod"
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expire(role)
	for _, sid := range f.secretIDs[role] {
		if sid == secretID {
			return true
		}
	}
	return false
}

// bootstrapSecretID is the secret_id the bootstrap entry of app web in prod holds now.
func (f *fakeVault) bootstrapSecretID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current("secret-prod", "web-bootstrap/approle/credentials")["secret_id"]
}

func (f *fakeVault) DeleteRole(_ context.Context, _, role string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("delete-role " + role); err != nil {
		return err
	}
	delete(f.roles, role)
	delete(f.roleIDs, role)
	delete(f.secretIDs, role)
	return nil
}

func (f *fakeVault) RoleID(_ context.Context, _, role string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("role-id " + role); err != nil {
		return "", err
	}
	id, ok := f.roleIDs[role]
	if !ok {
		return "", vault.ErrNotFound
	}
	return id, nil
}

func (f *fakeVault) NewSecretID(_ context.Context, _, role string, _ map[string]string) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("mint " + role); err != nil {
		return "", "", err
	}
	if _, ok := f.roles[role]; !ok {
		return "", "", vault.ErrNotFound
	}
	f.next++
	acc, sid := fmt.Sprintf("accessor-%d", f.next), fmt.Sprintf("secret-id-%d", f.next)
	f.secretIDs[role][acc] = sid
	if ttl, _ := f.roles[role]["secret_id_ttl"].(float64); ttl > 0 {
		f.expires[role+"/"+acc] = f.clock.Add(time.Duration(ttl) * time.Second)
	}
	return sid, acc, f.after("mint " + role)
}

func (f *fakeVault) LookupSecretID(_ context.Context, _, role, secretID string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("lookup-secret-id " + role); err != nil {
		return "", err
	}
	for acc, sid := range f.secretIDs[role] {
		if sid == secretID {
			return acc, nil
		}
	}
	return "", vault.ErrNotFound
}

func (f *fakeVault) DestroySecretIDAccessor(_ context.Context, _, role, accessor string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("destroy " + role + " " + accessor); err != nil {
		return err
	}
	delete(f.secretIDs[role], accessor)
	return nil
}

func (f *fakeVault) ListSecretIDAccessors(_ context.Context, _, role string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("list-secret-ids " + role); err != nil {
		return nil, err
	}
	f.expire(role)
	return slices.Sorted(maps.Keys(f.secretIDs[role])), nil
}

func (f *fakeVault) TokenValid(context.Context) bool { return f.tokenOK }

func (f *fakeVault) Identity() string { return "" }

// leftOf reports what of app web in prod is live is still in the fake ("" when nothing).
func (f *fakeVault) leftOf() string {
	const env, service = "prod", "web"
	var left []string
	for k, s := range f.kv {
		live := !s.versions[len(s.versions)-1].deleted
		if live && (strings.HasPrefix(k, "secret-"+env+"/"+service+"/") || strings.HasPrefix(k, "secret-"+env+"/"+service+"-bootstrap/")) {
			left = append(left, k)
		}
	}
	if _, ok := f.policies[service+"-"+env]; ok {
		left = append(left, "policy")
	}
	if _, ok := f.roles[service+"-"+env]; ok {
		left = append(left, "role")
	}
	slices.Sort(left)
	return strings.Join(left, ", ")
}
