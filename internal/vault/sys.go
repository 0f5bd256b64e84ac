package vault

import (
	"context"
	"errors"
	"strings"
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
	m, err := c.api.Sys().GetMountWithContext(ctx, strings.Trim(path, "/"))
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

// AuthMounted reports whether an auth method is enabled at path.
func (c *Client) AuthMounted(ctx context.Context, path string) (bool, error) {
	auths, err := c.api.Sys().ListAuthWithContext(ctx)
	if err != nil {
		return false, classify(err)
	}
	_, ok := auths[strings.Trim(path, "/")+"/"]
	return ok, nil
}
