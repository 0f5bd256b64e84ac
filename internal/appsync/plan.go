package appsync

import (
	"maps"
	"slices"
)

// Plan is what applying a Spec over a prior State will change, as far as a plan can know: the
// secrets to write (their versions are unknown until then), whether a role_id must be read and
// whether a new secret_id is minted. ModifyPlan and apply ask the same functions, so the plan
// shows exactly what apply does.
type Plan struct {
	Writes    map[string]bool
	NewRoleID bool
	Rotate    bool
	// Emergency: this rotation destroys every other secret_id at once, no grace.
	Emergency bool
	// RetireCurrent: the rotation keeps the current secret_id valid as "previous" for the grace.
	RetireCurrent bool
	// KeepOthers are the other secret_ids that stay (previous ones in their grace); Destroy the
	// accessors apply destroys (grace ended, untracked, or replaced without grace), after the
	// bootstrap entry holds the new secret_id when it rotates.
	KeepOthers []SecretID
	Destroy    []string
	// Deletes are the secrets no longer declared that apply deletes (soft unless the spec
	// purges); Forgets are undeclared secrets that import found: left in Vault, dropped from state.
	Deletes, Forgets []string
}

// PlanFor computes the Plan of spec over prior (nil on create).
func PlanFor(prior *State, spec *Spec) Plan {
	p := Plan{Writes: map[string]bool{}}
	for key := range spec.Secrets {
		if NeedsWrite(prior, spec, key) {
			p.Writes[key] = true
		}
	}
	if spec.Direct {
		p.NewRoleID = !roleExists(prior)
		p.Rotate = needsRotation(prior, spec)
		p.planSecretIDs(prior, spec)
	}
	if prior != nil {
		for _, key := range sortedKeys(prior.Versions) {
			if _, keep := spec.Secrets[key]; keep {
				continue
			}
			_, external := spec.External[key]
			_, migrated := spec.Migrate[key]
			if slices.Contains(prior.Private.Imported, key) || external || migrated {
				p.Forgets = append(p.Forgets, key)
			} else {
				p.Deletes = append(p.Deletes, key)
			}
		}
	}
	return p
}

// NeedsWrite reports whether apply must write secret key: it is new, its value or
// secrets_wo_version changed, or the version in Vault is not the one Terraform wrote.
func NeedsWrite(prior *State, spec *Spec, key string) bool {
	if prior == nil {
		return true
	}
	v, ok := prior.Versions[key]
	if !ok {
		return true
	}
	if w, ok := prior.Private.Written[key]; (ok && w != v) || prior.Private.isStale(key) {
		return true
	}
	if spec.WriteOnly {
		// The values cannot be compared, but the field names can: a field added or removed
		// is written like a new key, without a version bump.
		s := spec.Secrets[key]
		fieldsChanged := !s.Unknown && !slices.Equal(prior.Fields[key], sortedKeys(s.Fields))
		return prior.WOVersion == nil || *prior.WOVersion != spec.WOVersion || prior.Secrets != nil || fieldsChanged
	}
	before, ok := prior.Secrets[key]
	s := spec.Secrets[key]
	return !ok || s.Unknown || !maps.Equal(before, s.Fields)
}

// planSecretIDs decides which of the role's other secret_ids stay and which go. It depends on
// the prior state only (a refresh marks the ones whose grace has ended), never on the clock, so
// that the plan and apply agree.
func (p *Plan) planSecretIDs(prior *State, spec *Spec) {
	if !roleExists(prior) {
		return
	}
	p.Emergency = !equalPtr(prior.Role.Emergency, spec.Emergency)
	for _, o := range prior.Role.Others {
		if o.Status == StatusPrevious && !p.Emergency {
			p.KeepOthers = append(p.KeepOthers, o)
		} else {
			p.Destroy = append(p.Destroy, o.Accessor)
		}
	}
	if cur := prior.Role.Accessor; p.Rotate && cur != "" {
		if !p.Emergency && spec.Grace > 0 {
			p.RetireCurrent = true
		} else {
			p.Destroy = append(p.Destroy, cur)
		}
	}
}

func roleExists(prior *State) bool {
	return prior != nil && prior.Role != nil && prior.Role.RoleID != ""
}

func needsRotation(prior *State, spec *Spec) bool {
	if !roleExists(prior) || prior.Role.Accessor == "" || prior.Private.Rotate {
		return true
	}
	return !equalPtr(prior.Role.Rotation, spec.Rotation) || !equalPtr(prior.Role.Emergency, spec.Emergency)
}

func needsRoleWrite(prior *State, spec *Spec, name string) bool {
	if !roleExists(prior) {
		return true
	}
	return prior.Role.Name != name || !sameAppRole(prior.Role.Settings, spec.AppRole)
}

func sameAppRole(a, b AppRole) bool {
	return a.TokenTTL == b.TokenTTL && a.TokenMaxTTL == b.TokenMaxTTL && a.SecretIDTTL == b.SecretIDTTL &&
		a.SecretIDNumUses == b.SecretIDNumUses && slices.Equal(a.TokenBoundCIDRs, b.TokenBoundCIDRs) &&
		slices.Equal(a.SecretIDBoundCIDRs, b.SecretIDBoundCIDRs)
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
