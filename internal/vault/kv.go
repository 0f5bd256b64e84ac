package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// Metadata is the part of a KV v2 metadata answer the provider uses.
type Metadata struct {
	CurrentVersion int
	// CurrentLive is false when the current version is soft-deleted or destroyed.
	CurrentLive bool
}

// KVPut writes data at mount/path with check-and-set cas (0: only if the path does not exist)
// and returns the version written.
func (c *Client) KVPut(ctx context.Context, mount, path string, data map[string]string, cas int) (int, error) {
	body := map[string]any{"data": data, "options": map[string]any{"cas": cas}}
	s, err := c.api.Logical().WriteWithContext(ctx, KVDataPath(mount, path), body)
	if err != nil {
		return 0, classify(err)
	}
	if s == nil || s.Data == nil {
		return 0, fmt.Errorf("KV write to %s/%s returned no version: is %q a KV v2 mount?", mount, path, mount)
	}
	return toInt(s.Data["version"]), nil
}

// KVPutPlain writes data at mount/path without check-and-set.
func (c *Client) KVPutPlain(ctx context.Context, mount, path string, data map[string]string) (int, error) {
	s, err := c.api.Logical().WriteWithContext(ctx, KVDataPath(mount, path), map[string]any{"data": data})
	if err != nil {
		return 0, classify(err)
	}
	if s == nil || s.Data == nil {
		return 0, fmt.Errorf("KV write to %s/%s returned no version: is %q a KV v2 mount?", mount, path, mount)
	}
	return toInt(s.Data["version"]), nil
}

// KVMetadata reads the metadata of mount/path; ErrNotFound when the path has none.
func (c *Client) KVMetadata(ctx context.Context, mount, path string) (*Metadata, error) {
	s, err := c.api.Logical().ReadWithContext(ctx, KVMetadataPath(mount, path))
	if err != nil {
		return nil, classify(err)
	}
	if s == nil || s.Data == nil {
		return nil, ErrNotFound
	}
	m := &Metadata{CurrentVersion: toInt(s.Data["current_version"])}
	if versions, ok := s.Data["versions"].(map[string]any); ok {
		if v, ok := versions[strconv.Itoa(m.CurrentVersion)].(map[string]any); ok {
			deleted, _ := v["deletion_time"].(string)
			destroyed, _ := v["destroyed"].(bool)
			m.CurrentLive = deleted == "" && !destroyed
		}
	}
	return m, nil
}

// KVGet reads the current data of mount/path and its version; ErrNotFound when the path does
// not exist or its current version is deleted.
func (c *Client) KVGet(ctx context.Context, mount, path string) (map[string]string, int, error) {
	s, err := c.api.Logical().ReadWithContext(ctx, KVDataPath(mount, path))
	if err != nil {
		return nil, 0, classify(err)
	}
	if s == nil || s.Data == nil {
		return nil, 0, ErrNotFound
	}
	data, ok := s.Data["data"].(map[string]any)
	if !ok || data == nil {
		return nil, 0, ErrNotFound // soft-deleted: data is null
	}
	version := 0
	if md, ok := s.Data["metadata"].(map[string]any); ok {
		version = toInt(md["version"])
	}
	return stringValues(data), version, nil
}

// stringValues turns a secret's data into strings (non-string values as JSON).
func stringValues(data map[string]any) map[string]string {
	out := make(map[string]string, len(data))
	for k, v := range data {
		if s, ok := v.(string); ok {
			out[k] = s
		} else {
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out
}

// KV1Get reads a secret of a KV version 1 mount; ErrNotFound when there is none.
func (c *Client) KV1Get(ctx context.Context, mount, path string) (map[string]string, error) {
	s, err := c.api.Logical().ReadWithContext(ctx, mount+"/"+path)
	if err != nil {
		return nil, classify(err)
	}
	if s == nil || s.Data == nil {
		return nil, ErrNotFound
	}
	return stringValues(s.Data), nil
}

// KVDelete soft-deletes the current version of mount/path: `vault kv undelete` restores it,
// and the metadata and older versions stay. A missing path is success.
func (c *Client) KVDelete(ctx context.Context, mount, path string) error {
	_, err := c.api.Logical().DeleteWithContext(ctx, KVDataPath(mount, path))
	if err = classify(err); err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}

// KVDeleteAll removes mount/path with every version and its metadata; a missing path is success.
func (c *Client) KVDeleteAll(ctx context.Context, mount, path string) error {
	_, err := c.api.Logical().DeleteWithContext(ctx, KVMetadataPath(mount, path))
	if err = classify(err); err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}

// KVList lists the keys under mount/path ("component/" style names end in a slash).
func (c *Client) KVList(ctx context.Context, mount, path string) ([]string, error) {
	return c.listKeys(ctx, KVMetadataPath(mount, path))
}

// listKeys lists the keys under a Vault path; a path with nothing under it lists none.
func (c *Client) listKeys(ctx context.Context, p string) ([]string, error) {
	s, err := c.api.Logical().ListWithContext(ctx, p)
	if err != nil {
		return nil, classify(err)
	}
	if s == nil || s.Data == nil {
		return nil, nil
	}
	raw, _ := s.Data["keys"].([]any)
	keys := make([]string, 0, len(raw))
	for _, k := range raw {
		keys = append(keys, fmt.Sprint(k))
	}
	return keys, nil
}

func toInt(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}
