package vault

import (
	"context"
	"errors"
	"strings"

	"github.com/hashicorp/vault/api"
)

// IsNotFound reports whether err means the object does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// PutPolicy writes an ACL policy.
func (c *Client) PutPolicy(ctx context.Context, name, text string) error {
	return classify(c.api.Sys().PutPolicyWithContext(ctx, name, text))
}

// GetPolicy reads an ACL policy; ErrNotFound when it does not exist (Vault answers "").
func (c *Client) GetPolicy(ctx context.Context, name string) (string, error) {
	text, err := c.api.Sys().GetPolicyWithContext(ctx, name)
	if err != nil {
		return "", classify(err)
	}
	if text == "" {
		return "", ErrNotFound
	}
	return text, nil
}

// DeletePolicy removes an ACL policy; a missing policy is success.
func (c *Client) DeletePolicy(ctx context.Context, name string) error {
	err := classify(c.api.Sys().DeletePolicyWithContext(ctx, name))
	if err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}

// MountInfo describes a secrets engine mount.
type MountInfo struct {
	Type    string
	Version string
}

// Mount reads the secrets engine mounted at path; ErrNotFound when none is.
func (c *Client) Mount(ctx context.Context, path string) (*MountInfo, error) {
	path = strings.Trim(path, "/")
	m, err := c.api.Sys().GetMountWithContext(ctx, path)
	if err != nil {
		err = classify(err)
		msg := strings.ToLower(err.Error())
		if IsNotFound(err) || strings.Contains(msg, "no secret engine mount") || strings.Contains(msg, "no matching mount") {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &MountInfo{Type: m.Type, Version: m.Options["version"]}, nil
}

// MountCached is Mount, remembered for the life of the client once found: creating 100 apps
// in one environment reads sys/mounts/secret-{env} once per provider run.
func (c *Client) MountCached(ctx context.Context, path string) (*MountInfo, error) {
	path = strings.Trim(path, "/")
	c.mountsMu.Lock() // concurrent creates wait for the first read instead of all reading
	defer c.mountsMu.Unlock()
	if m, ok := c.mounts[path]; ok {
		return m, nil
	}
	m, err := c.Mount(ctx, path)
	if err != nil {
		return nil, err
	}
	if c.mounts == nil {
		c.mounts = map[string]*MountInfo{}
	}
	c.mounts[path] = m
	return m, nil
}

// AuthMounted reports whether an auth method is enabled at path.
func (c *Client) AuthMounted(ctx context.Context, path string) (bool, error) {
	typ, err := c.AuthType(ctx, path)
	return typ != "", err
}

// AuthType is the type of the auth method enabled at path ("approle", "jwt"), "" when none is.
func (c *Client) AuthType(ctx context.Context, path string) (string, error) {
	auths, err := c.api.Sys().ListAuthWithContext(ctx)
	if err != nil {
		return "", classify(err)
	}
	if a, ok := auths[strings.Trim(path, "/")+"/"]; ok {
		return a.Type, nil
	}
	return "", nil
}

// WriteAuthConfig writes an auth method's configuration (auth/{mount}/config).
func (c *Client) WriteAuthConfig(ctx context.Context, mount string, params map[string]any) error {
	_, err := c.api.Logical().WriteWithContext(ctx, AuthConfigPath(mount), params)
	return classify(err)
}

// EnableKV2 mounts a KV version 2 secrets engine at path.
func (c *Client) EnableKV2(ctx context.Context, path, description string) error {
	return classify(c.api.Sys().MountWithContext(ctx, path, &api.MountInput{
		Type: "kv", Description: description, Options: map[string]string{"version": "2"},
	}))
}

// ConfigureKV2 sets a KV v2 mount's max_versions and cas_required.
func (c *Client) ConfigureKV2(ctx context.Context, mount string, maxVersions int, casRequired bool) error {
	_, err := c.api.Logical().WriteWithContext(ctx, KVConfigPath(mount), map[string]any{"max_versions": maxVersions, "cas_required": casRequired})
	return classify(err)
}

// Unmount removes a secrets engine and everything in it.
func (c *Client) Unmount(ctx context.Context, path string) error {
	c.mountsMu.Lock()
	delete(c.mounts, strings.Trim(path, "/"))
	c.mountsMu.Unlock()
	return classify(c.api.Sys().UnmountWithContext(ctx, path))
}

// EnableAuth enables an auth method of type at path.
func (c *Client) EnableAuth(ctx context.Context, path, typ string) error {
	return classify(c.api.Sys().EnableAuthWithOptionsWithContext(ctx, path, &api.EnableAuthOptions{Type: typ}))
}

// DisableAuth disables the auth method at path.
func (c *Client) DisableAuth(ctx context.Context, path string) error {
	return classify(c.api.Sys().DisableAuthWithContext(ctx, path))
}

// ReadAuthConfig reads an auth method's configuration (auth/{mount}/config); nil when unset.
func (c *Client) ReadAuthConfig(ctx context.Context, mount string) (map[string]any, error) {
	s, err := c.api.Logical().ReadWithContext(ctx, AuthConfigPath(mount))
	if err != nil {
		return nil, classify(err)
	}
	if s == nil {
		return nil, nil
	}
	return s.Data, nil
}
