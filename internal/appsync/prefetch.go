package appsync

import (
	"context"
	"sync"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// PerResourceParallelism bounds the Vault requests one app's refresh has in flight at once: all
// of an app's reads (at most 3 + k) in one round trip. They do not depend on each other, so across
// a network they overlap instead of paying one round trip after another; the provider's client
// bounds the total (max_concurrent_requests).
const PerResourceParallelism = 8

// prefetched is the Vault of one refresh: the app's independent reads (each secret's metadata,
// the policy, and for Direct-Vault the role, the list of its secret_ids and the bootstrap entry's
// metadata) are made at once, up front; the refresh then consumes each answer once, in its
// usual order, so its logic and its warnings stay those of a sequential read. A read the
// refresh does not need (the secret_ids of a role that turned out to be gone) is simply unused.
type prefetched struct {
	Vault
	mu     sync.Mutex
	meta   map[string]metaAnswer
	policy map[string]policyAnswer
	role   map[string]roleAnswer
	listed map[string]listAnswer
}

type listAnswer struct {
	accessors []string
	err       error
}

type metaAnswer struct {
	m   *vault.Metadata
	err error
}
type policyAnswer struct {
	text string
	err  error
}
type roleAnswer struct {
	data map[string]any
	err  error
}

func prefetch(ctx context.Context, v Vault, st *State, approleMount string) *prefetched {
	p := &prefetched{Vault: v, meta: map[string]metaAnswer{}, policy: map[string]policyAnswer{}, role: map[string]roleAnswer{}, listed: map[string]listAnswer{}}
	var tasks []func()
	mount, name := st.Mount(), st.Name()
	for _, key := range sortedKeys(st.Versions) {
		rel := st.Service + "/" + key
		tasks = append(tasks, func() {
			m, err := v.KVMetadata(ctx, mount, rel)
			p.put(func() { p.meta[mount+"/"+rel] = metaAnswer{m, err} })
		})
	}
	tasks = append(tasks, func() {
		text, err := v.GetPolicy(ctx, name)
		p.put(func() { p.policy[name] = policyAnswer{text, err} })
	})
	if st.Role != nil {
		tasks = append(tasks, func() {
			data, err := v.ReadRole(ctx, approleMount, name)
			p.put(func() { p.role[name] = roleAnswer{data, err} })
		})
		tasks = append(tasks, func() {
			accessors, err := v.ListSecretIDAccessors(ctx, approleMount, name)
			p.put(func() { p.listed[name] = listAnswer{accessors, err} })
		})
		boot := policy.BootstrapRelative(st.Service)
		tasks = append(tasks, func() {
			m, err := v.KVMetadata(ctx, mount, boot)
			p.put(func() { p.meta[mount+"/"+boot] = metaAnswer{m, err} })
		})
	}
	RunBounded(tasks, PerResourceParallelism)
	return p
}

func (p *prefetched) put(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
}

// RunBounded runs tasks with at most limit at once and waits for all.
func RunBounded(tasks []func(), limit int) {
	if len(tasks) <= 1 || limit <= 1 {
		for _, t := range tasks {
			t()
		}
		return
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, t := range tasks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			t()
		}()
	}
	wg.Wait()
}

// take removes and returns the prefetched answer for key: each answer serves one read.
func take[A any](mu *sync.Mutex, answers map[string]A, key string) (A, bool) {
	mu.Lock()
	defer mu.Unlock()
	a, ok := answers[key]
	delete(answers, key)
	return a, ok
}

func (p *prefetched) KVMetadata(ctx context.Context, mount, rel string) (*vault.Metadata, error) {
	if a, ok := take(&p.mu, p.meta, mount+"/"+rel); ok {
		return a.m, a.err
	}
	return p.Vault.KVMetadata(ctx, mount, rel)
}

func (p *prefetched) GetPolicy(ctx context.Context, name string) (string, error) {
	if a, ok := take(&p.mu, p.policy, name); ok {
		return a.text, a.err
	}
	return p.Vault.GetPolicy(ctx, name)
}

func (p *prefetched) ReadRole(ctx context.Context, mount, role string) (map[string]any, error) {
	if a, ok := take(&p.mu, p.role, role); ok {
		return a.data, a.err
	}
	return p.Vault.ReadRole(ctx, mount, role)
}

func (p *prefetched) ListSecretIDAccessors(ctx context.Context, mount, role string) ([]string, error) {
	if a, ok := take(&p.mu, p.listed, role); ok {
		return a.accessors, a.err
	}
	return p.Vault.ListSecretIDAccessors(ctx, mount, role)
}
