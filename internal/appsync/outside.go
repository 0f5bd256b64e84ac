package appsync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// Values that never pass through Terraform: secrets people write with `vault kv put`
// (External), and secrets copied from a legacy path through the provider's memory (Migrate). Their values are
// read into memory only to compare field names or to copy them, and are dropped at once.

// ExternalCheck is what Vault holds for an externally written secret: whether the path is
// there, and which declared fields are missing or undeclared ones present.
type ExternalCheck struct {
	Key, Path                  string
	Missing                    bool
	MissingFields, ExtraFields []string
	// Command is the `vault kv put` (or `patch`) to run, with placeholders, never values.
	Command string
}

// Migration is one pending copy: from Source (a KV v1 or v2 legacy path) to Target, with the
// source's field names.
type Migration struct {
	Key, Source, Target string
	Fields              []string
	KV1                 bool
}

// CheckExternal reads each external secret of spec and reports what is missing or extra.
func (s *Syncer) CheckExternal(ctx context.Context, spec *Spec) ([]ExternalCheck, error) {
	mount := policy.MountOf(spec.Env)
	var out []ExternalCheck
	for _, key := range sortedKeys(spec.External) {
		rel := spec.Service + "/" + key
		c := ExternalCheck{Key: key, Path: mount + "/" + rel}
		data, _, err := s.V.KVGet(ctx, mount, rel)
		switch {
		case vault.IsNotFound(err):
			c.Missing, c.MissingFields = true, slices.Clone(spec.External[key])
		case err != nil:
			e := s.fail(ctx, "Cannot check an externally written secret", "read", vault.KVDataPath(mount, rel), err)
			e.Attribute, e.Key = "external_secrets", key
			return nil, e
		default:
			for _, f := range spec.External[key] {
				if _, ok := data[f]; !ok {
					c.MissingFields = append(c.MissingFields, f)
				}
			}
			for f := range data {
				if !slices.Contains(spec.External[key], f) {
					c.ExtraFields = append(c.ExtraFields, f)
				}
			}
			slices.Sort(c.ExtraFields)
		}
		clear(data) // the values are not kept
		if len(c.MissingFields) > 0 {
			verb := "put"
			if !c.Missing {
				verb = "patch"
			}
			args := make([]string, len(c.MissingFields))
			for i, f := range c.MissingFields {
				args[i] = f + "=<" + f + ">"
			}
			c.Command = fmt.Sprintf("vault kv %s -mount=%s %s %s", verb, mount, rel, strings.Join(args, " "))
		}
		if c.Missing || len(c.MissingFields) > 0 || len(c.ExtraFields) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// PendingMigrations checks every migration of spec not yet done in prior: the source mount is
// a KV mount, the source exists and is readable. It returns the copies apply will make.
func (s *Syncer) PendingMigrations(ctx context.Context, prior *State, spec *Spec) ([]Migration, error) {
	var out []Migration
	for _, key := range sortedKeys(spec.Migrate) {
		src := spec.Migrate[key]
		if prior != nil && prior.Private.Migrated[key] == src {
			continue // copied already: nothing to do, nothing to read
		}
		m, data, err := s.readSource(ctx, spec, key, src)
		clear(data)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// checkSource checks a legacy source before anything is read: the policy's rules (again at
// apply, for a source that was unknown at plan), a KV mount, and a KV v2 one when the source is
// to be soft-deleted.
func (s *Syncer) checkSource(ctx context.Context, spec *Spec, key, src string) (Migration, error) {
	mount, _ := policy.SplitMountPath(src)
	m := Migration{Key: key, Source: src, Target: policy.MountOf(spec.Env) + "/" + spec.Service + "/" + key}
	bad := func(summary, format string, args ...any) (Migration, error) {
		return m, errorf("migrate_from", key, summary, format, args...)
	}
	if err := policy.ValidateMigrationSource(spec.Env, spec.Service, src, spec.AllowedSources...); err != nil {
		return bad("Breaks the secrets policy", "%s. Nothing was written.", err)
	}
	info, err := s.V.MountCached(ctx, mount)
	switch {
	case vault.IsNotFound(err):
		return bad("Legacy mount missing", "migrate_from %q: there is no secrets engine at %s/. Nothing was written.", src, mount)
	case err != nil:
		return m, s.failMigration(ctx, key, "Cannot check the legacy mount", "read", vault.MountPath(mount), err)
	case info.Type != "kv":
		return bad("Legacy mount is not KV", "migrate_from %q: %s/ is a %q engine; only KV (version 1 or 2) paths can be copied. Nothing was written.", src, mount, info.Type)
	}
	m.KV1 = info.Version != "2"
	if m.KV1 && spec.DeleteSources {
		e := errorf("migrate_delete_source", key, "Cannot soft-delete a KV v1 source", "migrate_from %q is in %s/, a KV version 1 mount: it has no soft delete, so migrate_delete_source would destroy the legacy value for good. "+
			"Leave migrate_delete_source unset and delete the legacy path by hand once the app reads the new one. Nothing was written.", src, mount)
		return m, e
	}
	return m, nil
}

// SourceDelete is a legacy source that apply soft-deletes (migrate_delete_source).
type SourceDelete struct{ Key, Source string }

// PendingSourceDeletes lists the sources that apply soft-deletes: with migrate_delete_source,
// each source of migrate_from not soft-deleted yet, whether its copy is made by this apply or
// was made by an earlier one.
func PendingSourceDeletes(prior *State, spec *Spec) []SourceDelete {
	if !spec.DeleteSources {
		return nil
	}
	var out []SourceDelete
	for _, key := range sortedKeys(spec.Migrate) {
		src := spec.Migrate[key]
		if prior != nil && prior.Private.SourcesDeleted[key] == src {
			continue
		}
		out = append(out, SourceDelete{Key: key, Source: src})
	}
	return out
}

// CheckSourceDeletes checks, at plan, the sources apply will soft-delete whose copies were made
// earlier (a new copy's source is checked with it): each is a KV v2 path this service may migrate.
func (s *Syncer) CheckSourceDeletes(ctx context.Context, prior *State, spec *Spec) error {
	for _, d := range PendingSourceDeletes(prior, spec) {
		if prior == nil || prior.Private.Migrated[d.Key] != d.Source {
			continue
		}
		if _, err := s.checkSource(ctx, spec, d.Key, d.Source); err != nil {
			return err
		}
	}
	return nil
}

// readSource reads a legacy secret; the caller drops the values.
func (s *Syncer) readSource(ctx context.Context, spec *Spec, key, src string) (Migration, map[string]string, error) {
	m, err := s.checkSource(ctx, spec, key, src)
	if err != nil {
		return m, nil, err
	}
	mount, rel := policy.SplitMountPath(src)
	var data map[string]string
	var apiPath string
	if m.KV1 {
		apiPath = mount + "/" + rel
		data, err = s.V.KV1Get(ctx, mount, rel)
	} else {
		apiPath = vault.KVDataPath(mount, rel)
		data, _, err = s.V.KVGet(ctx, mount, rel)
	}
	switch {
	case vault.IsNotFound(err):
		return m, nil, errorf("migrate_from", key, "Legacy secret missing", "migrate_from %q: nothing to copy at %s (missing or deleted). Nothing was written.", src, apiPath)
	case err != nil:
		e := s.failMigration(ctx, key, "Cannot read the legacy secret", "read", apiPath, err)
		e.Detail += " Nothing was written."
		return m, nil, e
	}
	m.Fields = sortedKeys(data)
	return m, data, nil
}

// ownedOutside reports whether the values of key were not Terraform's in st (external or migrated).
func (s *State) ownedOutside(key string) bool {
	if s == nil {
		return false
	}
	_, external := s.External[key]
	_, migrated := s.Private.Migrated[key]
	return external || migrated
}

// applyOutside records the external keys and makes the pending copies: read the source, write
// the canonical path with check-and-set 0 (an identical value left by a lost answer is
// adopted), then soft-delete the source when asked.
func (a *applier) applyOutside(ctx context.Context) error {
	st, spec := a.st, a.spec
	if len(spec.External) > 0 {
		st.External = maps.Clone(spec.External)
	} else {
		st.External = nil
	}
	for _, key := range sortedKeys(spec.External) {
		st.Fields[key] = slices.Sorted(slices.Values(spec.External[key]))
	}
	for key := range st.Private.Migrated {
		if _, keep := spec.Migrate[key]; !keep {
			delete(st.Private.Migrated, key)
			_, external := spec.External[key]
			_, declared := spec.Secrets[key]
			if !external && !declared {
				delete(st.Fields, key)
			}
		}
	}
	for _, key := range sortedKeys(spec.Migrate) {
		src := spec.Migrate[key]
		if a.prior != nil && a.prior.Private.Migrated[key] == src {
			continue
		}
		m, data, err := a.readSource(ctx, spec, key, src)
		if err != nil {
			return err
		}
		err = a.copyTo(ctx, m, data)
		clear(data)
		if err != nil {
			return err
		}
		if st.Private.Migrated == nil {
			st.Private.Migrated = map[string]string{}
		}
		st.Private.Migrated[key], st.Fields[key] = src, m.Fields
	}
	for key, src := range st.Private.SourcesDeleted {
		if spec.Migrate[key] != src {
			delete(st.Private.SourcesDeleted, key)
		}
	}
	return a.deleteSources(ctx)
}

// deleteSources soft-deletes the sources of the copies made (by this apply or an earlier one)
// when the spec asks; `vault kv undelete` restores them.
func (a *applier) deleteSources(ctx context.Context) error {
	st := a.st
	for _, d := range PendingSourceDeletes(a.prior, a.spec) {
		if st.Private.Migrated[d.Key] != d.Source {
			continue // not copied: never delete a source whose values are not in place
		}
		if _, err := a.checkSource(ctx, a.spec, d.Key, d.Source); err != nil {
			return err
		}
		mount, rel := policy.SplitMountPath(d.Source)
		if err := a.V.KVDelete(ctx, mount, rel); err != nil {
			e := a.failMigration(ctx, d.Key, "Cannot soft-delete the legacy secret", "delete", vault.KVDataPath(mount, rel), err)
			e.Attribute = "migrate_delete_source"
			e.Detail += " The copy at " + policy.MountOf(st.Env) + "/" + st.Service + "/" + d.Key + " is complete; the next apply tries the soft delete again."
			return e
		}
		if st.Private.SourcesDeleted == nil {
			st.Private.SourcesDeleted = map[string]string{}
		}
		st.Private.SourcesDeleted[d.Key] = d.Source
	}
	return nil
}

func (a *applier) copyTo(ctx context.Context, m Migration, data map[string]string) error {
	mount, rel := policy.MountOf(a.spec.Env), a.spec.Service+"/"+m.Key
	_, err := a.V.KVPut(ctx, mount, rel, data, 0)
	if errors.Is(err, vault.ErrCASMismatch) {
		if _, err = a.overDeleted(ctx, mount, rel, data, err); errors.Is(err, vault.ErrCASMismatch) {
			_, err = a.adoptIdentical(ctx, mount, rel, data, err)
		}
	}
	switch {
	case errors.Is(err, vault.ErrCASMismatch):
		return errorf("migrate_from", m.Key, "Secret already exists in Vault",
			"%s already holds other values, and a migration never overwrites a secret. Compare it with %s; remove one of them, or import the app. Nothing was overwritten.", m.Target, m.Source)
	case err != nil:
		e := a.fail(ctx, "Cannot write the migrated secret", "write (create/update)", vault.KVDataPath(mount, rel), err)
		e.Attribute, e.Key = "migrate_from", m.Key
		return e
	}
	return nil
}
