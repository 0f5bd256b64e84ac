package vault

import (
	"context"
	"fmt"
	"strings"
)

// WriteRole creates or updates a role of the auth method at mount (AppRole, JWT).
func (c *Client) WriteRole(ctx context.Context, mount, role string, params map[string]any) error {
	_, err := c.api.Logical().WriteWithContext(ctx, RolePath(mount, role), params)
	return classify(err)
}

// ReadRole reads an AppRole role's settings; ErrNotFound when it does not exist.
func (c *Client) ReadRole(ctx context.Context, mount, role string) (map[string]any, error) {
	s, err := c.api.Logical().ReadWithContext(ctx, RolePath(mount, role))
	if err != nil {
		return nil, classify(err)
	}
	if s == nil || s.Data == nil {
		return nil, ErrNotFound
	}
	return s.Data, nil
}

// ListRoles lists the names of the roles of the auth method at mount (AppRole, JWT); none when
// the method has no role.
func (c *Client) ListRoles(ctx context.Context, mount string) ([]string, error) {
	return c.listKeys(ctx, "auth/"+strings.Trim(mount, "/")+"/role")
}

// DeleteRole removes an AppRole role (and with it every secret_id); a missing role is success.
func (c *Client) DeleteRole(ctx context.Context, mount, role string) error {
	_, err := c.api.Logical().DeleteWithContext(ctx, RolePath(mount, role))
	if err = classify(err); err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}

// RoleID reads the role_id of a role.
func (c *Client) RoleID(ctx context.Context, mount, role string) (string, error) {
	s, err := c.api.Logical().ReadWithContext(ctx, RoleIDPath(mount, role))
	if err != nil {
		return "", classify(err)
	}
	if s == nil || s.Data == nil {
		return "", ErrNotFound
	}
	id, _ := s.Data["role_id"].(string)
	return id, nil
}

// NewSecretID mints a secret_id for a role and returns it with its accessor. The secret_id
// must go straight to the bootstrap entry and nowhere else.
func (c *Client) NewSecretID(ctx context.Context, mount, role string, metadata map[string]string) (secretID, accessor string, err error) {
	params := map[string]any{}
	if len(metadata) > 0 {
		parts := make([]string, 0, len(metadata))
		for k, v := range metadata {
			parts = append(parts, fmt.Sprintf("%q:%q", k, v))
		}
		params["metadata"] = "{" + strings.Join(parts, ",") + "}"
	}
	s, err := c.api.Logical().WriteWithContext(ctx, SecretIDPath(mount, role), params)
	if err != nil {
		return "", "", classify(err)
	}
	if s == nil || s.Data == nil {
		return "", "", fmt.Errorf("minting a secret_id for %s returned nothing", RolePath(mount, role))
	}
	secretID, _ = s.Data["secret_id"].(string)
	accessor, _ = s.Data["secret_id_accessor"].(string)
	return secretID, accessor, nil
}

// ListSecretIDAccessors lists the accessors of every secret_id of a role that is still valid.
func (c *Client) ListSecretIDAccessors(ctx context.Context, mount, role string) ([]string, error) {
	return c.listKeys(ctx, SecretIDPath(mount, role))
}

// LookupSecretID returns the accessor of a secret_id (import reads it from the bootstrap entry).
func (c *Client) LookupSecretID(ctx context.Context, mount, role, secretID string) (string, error) {
	s, err := c.api.Logical().WriteWithContext(ctx, SecretIDLookupPath(mount, role),
		map[string]any{"secret_id": secretID})
	if err != nil {
		return "", classify(err)
	}
	if s == nil || s.Data == nil {
		return "", ErrNotFound
	}
	a, _ := s.Data["secret_id_accessor"].(string)
	return a, nil
}

// DestroySecretIDAccessor revokes a secret_id by its accessor; an unknown accessor is success.
func (c *Client) DestroySecretIDAccessor(ctx context.Context, mount, role, accessor string) error {
	_, err := c.api.Logical().WriteWithContext(ctx, AccessorDestroyPath(mount, role),
		map[string]any{"secret_id_accessor": accessor})
	if err = classify(err); err != nil && !IsNotFound(err) && !strings.Contains(err.Error(), "failed to find accessor") {
		return err
	}
	return nil
}
