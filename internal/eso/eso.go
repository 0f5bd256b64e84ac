// Package eso renders the External Secrets Operator side of an app: the ExternalSecret
// (external-secrets.io/v1) that syncs its Vault paths into a Kubernetes Secret, or for a
// Direct-Vault app the bootstrap ExternalSecret with its AppRole credentials, and the
// Deployment env entries that read them with secretKeyRef. Pure logic: no Vault, no framework.
package eso

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Defaults of the guide.
const (
	DefaultStoreName = "vault-backend"
	DefaultStoreKind = "ClusterSecretStore"
	DefaultRefresh   = "1h"
	// DefaultBootstrapRefresh is the bootstrap ExternalSecret's refresh: a new secret_id reaches
	// the pods within an hour, well inside the 2h grace before the old one is destroyed.
	DefaultBootstrapRefresh = "1h"
)

// VaultAddrEnv is the plain env entry with Vault's address of a Direct-Vault app.
const VaultAddrEnv = "VAULT_ADDR"

// ForceSyncAnnotation is the ExternalSecret annotation whose change makes ESO re-sync at once
// (ESO reconciles on any metadata change; its docs use this key).
const ForceSyncAnnotation = "force-sync"

// App is what the manifests are rendered from: nothing secret, only names.
type App struct {
	Environment string
	Service     string
	Access      string
	Namespace   string
	// Fields maps a secret key ("database/app") to its field names.
	Fields map[string][]string
	// EnvNames overrides the env-var name of a field, keyed "component/secret-name.field".
	EnvNames        map[string]string
	StoreName       string
	StoreKind       string
	RefreshInterval string
	// VaultAddr is the plain VAULT_ADDR value for Direct-Vault apps.
	VaultAddr string
	// Plain are non-secret env entries with a safe default, each with the reason it is safe.
	Plain []PlainEnv
	// Revision, when set, goes into the ExternalSecret's force-sync annotation: a new revision
	// (a rotated secret) makes ESO re-sync at once instead of at its next refresh.
	Revision string
}

// PlainEnv is a non-secret env entry with its safe default: rendered as a plain value with the
// policy's `# safe-default: <reason>` tag, and as a default in the app's validators.
type PlainEnv struct {
	Name, Default, Reason string
}

// InputError is a Render error caused by one input: Attr names the data source attribute at
// fault and Key, when set, the map key within it.
type InputError struct {
	Attr, Key string
	Err       error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Manifests is the rendered output.
type Manifests struct {
	// ExternalSecret is the ExternalSecret document.
	ExternalSecret string
	// Env is the Deployment container's env list.
	Env string
	// All is every document of the app, multi-document YAML.
	All string
	// SecretName is the Kubernetes Secret the ExternalSecret creates.
	SecretName string
	// EnvNames maps "component/secret-name.field" (or "role_id"/"secret_id") to its env-var name.
	EnvNames map[string]string
}

type externalSecret struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
	Spec       spec     `yaml:"spec"`
}

type metadata struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type spec struct {
	RefreshInterval string      `yaml:"refreshInterval"`
	SecretStoreRef  storeRef    `yaml:"secretStoreRef"`
	Target          target      `yaml:"target"`
	Data            []dataEntry `yaml:"data"`
}

type storeRef struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
}

type target struct {
	Name           string `yaml:"name"`
	CreationPolicy string `yaml:"creationPolicy"`
}

type dataEntry struct {
	SecretKey string    `yaml:"secretKey"`
	RemoteRef remoteRef `yaml:"remoteRef"`
}

type remoteRef struct {
	Key      string `yaml:"key"`
	Property string `yaml:"property"`
}

type envVar struct {
	Name      string     `yaml:"name"`
	Value     string     `yaml:"value,omitempty"`
	ValueFrom *valueFrom `yaml:"valueFrom,omitempty"`
}

type valueFrom struct {
	SecretKeyRef secretKeyRef `yaml:"secretKeyRef"`
}

type secretKeyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

// EnvName is the default env-var name of a field: UPPER_SNAKE of component, secret name and
// field, e.g. ("database/app", "password") -> "DATABASE_APP_PASSWORD".
func EnvName(key, field string) string {
	r := strings.NewReplacer("/", "_", "-", "_", ".", "_")
	return strings.ToUpper(r.Replace(key + "_" + field))
}

var (
	dns1123          = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// Render renders the app's manifests. Every error names what is wrong.
func Render(a App) (*Manifests, error) {
	if err := policy.ValidateEnvironment(a.Environment); err != nil {
		return nil, &InputError{Attr: "environment", Err: err}
	}
	if err := policy.ValidateService(a.Service); err != nil {
		return nil, &InputError{Attr: "service", Err: err}
	}
	if a.Access == "" {
		a.Access = policy.AccessESO
	}
	if err := policy.ValidateAccess(a.Access); err != nil {
		return nil, &InputError{Attr: "access", Err: err}
	}
	if !dns1123.MatchString(a.Namespace) || len(a.Namespace) > 63 {
		return nil, &InputError{Attr: "kubernetes_namespace", Err: fmt.Errorf("kubernetes_namespace %q is not a valid Kubernetes namespace name (lowercase letters, digits and '-')", a.Namespace)}
	}
	if a.StoreName == "" {
		a.StoreName = DefaultStoreName
	}
	if a.StoreKind == "" {
		a.StoreKind = DefaultStoreKind
	}
	if !dns1123Subdomain.MatchString(a.StoreName) || len(a.StoreName) > 253 {
		return nil, &InputError{Attr: "secret_store_name", Err: fmt.Errorf("secret_store_name %q is not a valid Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253 characters)", a.StoreName)}
	}
	if a.StoreKind != "ClusterSecretStore" && a.StoreKind != "SecretStore" {
		return nil, &InputError{Attr: "secret_store_kind", Err: fmt.Errorf("secret store kind %q must be ClusterSecretStore or SecretStore", a.StoreKind)}
	}
	if a.RefreshInterval != "" {
		if _, err := time.ParseDuration(a.RefreshInterval); err != nil {
			return nil, &InputError{Attr: "refresh_interval", Err: fmt.Errorf("refresh_interval %q is not a duration (1h, 30m, 90s)", a.RefreshInterval)}
		}
	}
	mount := policy.MountOf(a.Environment)
	labels := map[string]string{"app.kubernetes.io/name": a.Service, "app.kubernetes.io/managed-by": "terraform-provider-mosaic"}
	var annotations map[string]string
	if a.Revision != "" {
		annotations = map[string]string{ForceSyncAnnotation: a.Revision}
	}

	es := externalSecret{APIVersion: "external-secrets.io/v1", Kind: "ExternalSecret"}
	es.Spec.SecretStoreRef = storeRef{Name: a.StoreName, Kind: a.StoreKind}
	names := map[string]string{}
	var env []envVar

	if a.Access == policy.AccessDirectVault {
		if a.VaultAddr == "" {
			return nil, &InputError{Attr: "access", Err: errors.New("a Direct-Vault app needs vault_addr: the address the app logs in to (VAULT_ADDR)")}
		}
		if msg := (policy.Rule{Type: policy.TypeURL}).Check(a.VaultAddr); msg != "" {
			return nil, &InputError{Attr: "vault_addr", Err: fmt.Errorf("vault_addr %s, e.g. https://vault.vault.svc:8200", msg)}
		}
		if reason := policy.CredentialLikeValue(a.VaultAddr); reason != "" {
			return nil, &InputError{Attr: "vault_addr", Err: fmt.Errorf("vault_addr looks like it carries a credential (%s): it is a plain value in the Deployment", reason)}
		}
		secret := a.Service + "-vault-auth"
		es.Metadata = metadata{Name: secret, Namespace: a.Namespace, Labels: labels, Annotations: annotations}
		es.Spec.RefreshInterval = orDefault(a.RefreshInterval, DefaultBootstrapRefresh)
		es.Spec.Target = target{Name: secret, CreationPolicy: "Owner"}
		key := policy.BootstrapPath(a.Environment, a.Service)
		env = append(env, envVar{Name: VaultAddrEnv, Value: a.VaultAddr})
		for _, f := range []struct{ prop, name string }{{"role_id", "VAULT_ROLE_ID"}, {"secret_id", "VAULT_SECRET_ID"}} {
			es.Spec.Data = append(es.Spec.Data, dataEntry{SecretKey: f.name, RemoteRef: remoteRef{Key: key, Property: f.prop}})
			env = append(env, envVar{Name: f.name, ValueFrom: &valueFrom{secretKeyRef{Name: secret, Key: f.name}}})
			names[f.prop] = f.name
		}
	} else {
		secret := a.Service + "-secrets"
		es.Metadata = metadata{Name: secret, Namespace: a.Namespace, Labels: labels, Annotations: annotations}
		es.Spec.RefreshInterval = orDefault(a.RefreshInterval, DefaultRefresh)
		es.Spec.Target = target{Name: secret, CreationPolicy: "Owner"}
		if len(a.Fields) == 0 {
			return nil, &InputError{Attr: "field_names", Err: errors.New("an ESO app needs at least one secret: field_names is empty")}
		}
		owner := map[string]string{} // env name -> "key.field"
		keys := make([]string, 0, len(a.Fields))
		for k := range a.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if _, _, err := policy.ParseKey(k); err != nil {
				return nil, &InputError{Attr: "field_names", Key: k, Err: err}
			}
			fields := append([]string(nil), a.Fields[k]...)
			sort.Strings(fields)
			for _, f := range fields {
				if err := policy.ValidateFieldName(f); err != nil {
					return nil, &InputError{Attr: "field_names", Key: k, Err: fmt.Errorf("secret %q: %w", k, err)}
				}
				id := k + "." + f
				name := EnvName(k, f)
				if o, ok := a.EnvNames[id]; ok {
					name = o
				}
				if err := policy.ValidateEnvName(name); err != nil {
					return nil, &InputError{Attr: "env_names", Key: id, Err: fmt.Errorf("%s: %w", id, err)}
				}
				if other, dup := owner[name]; dup {
					return nil, &InputError{Attr: "env_names", Err: fmt.Errorf("%s and %s both map to env name %q: set a different name for one of them in env_names", other, id, name)}
				}
				owner[name] = id
				names[id] = name
				es.Spec.Data = append(es.Spec.Data, dataEntry{SecretKey: name, RemoteRef: remoteRef{Key: mount + "/" + a.Service + "/" + k, Property: f}})
				env = append(env, envVar{Name: name, ValueFrom: &valueFrom{secretKeyRef{Name: secret, Key: name}}})
			}
		}
		for id := range a.EnvNames {
			if _, ok := names[id]; !ok {
				return nil, &InputError{Attr: "env_names", Err: fmt.Errorf("env_names has %q, which is no field of this app (keys are \"component/secret-name.field\")", id)}
			}
		}
	}

	if err := checkPlain(a.Plain, names); err != nil {
		return nil, err
	}
	esYAML, err := marshal(es)
	if err != nil {
		return nil, err
	}
	envYAML, err := marshalEnv(env, a.Plain)
	if err != nil {
		return nil, err
	}
	return &Manifests{ExternalSecret: esYAML, Env: envYAML, All: "---\n" + esYAML, SecretName: es.Spec.Target.Name, EnvNames: names}, nil
}

// checkPlain refuses a plain entry that is no env name, has no reason, has a default that looks
// like a credential, or takes the name of a secret (a safe default on a secret is the
// fallback the policy forbids).
func checkPlain(plain []PlainEnv, secrets map[string]string) error {
	seen := map[string]bool{}
	for _, p := range plain {
		bad := func(format string, args ...any) error {
			return &InputError{Attr: "plain_env", Key: p.Name, Err: fmt.Errorf(format, args...)}
		}
		if err := policy.ValidateEnvName(p.Name); err != nil {
			return bad("plain_env: %w", err)
		}
		for what, text := range map[string]string{"reason": p.Reason, "default": p.Default} {
			if err := policy.ValidateText(fmt.Sprintf("plain_env %q %s", p.Name, what), text); err != nil {
				return bad("%w", err)
			}
		}
		switch {
		case seen[p.Name]:
			return bad("plain_env %q is declared twice", p.Name)
		case strings.TrimSpace(p.Reason) == "":
			return bad("plain_env %q needs a reason: why the default is safe (the policy's `# safe-default: <reason>` tag)", p.Name)
		case policy.CredentialLikeValue(p.Default) != "":
			return bad("plain_env %q: its default looks like a credential (%s); a secret has no default", p.Name, policy.CredentialLikeValue(p.Default))
		}
		for id, name := range secrets {
			if name == p.Name {
				return bad("plain_env %q is the env name of secret %s: a secret never gets a default (a silent fallback is what the policy forbids); give the plain entry another name", p.Name, id)
			}
		}
		seen[p.Name] = true
	}
	return nil
}

// marshalEnv renders the container's env list: the secretKeyRef entries, then each plain entry
// with its value and the `# safe-default: <reason>` tag.
func marshalEnv(env []envVar, plain []PlainEnv) (string, error) {
	var seq yaml.Node
	if err := seq.Encode(env); err != nil {
		return "", err
	}
	for _, p := range plain {
		value := &yaml.Node{Kind: yaml.ScalarNode, Value: p.Default, Style: yaml.DoubleQuotedStyle, LineComment: "safe-default: " + p.Reason}
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "name"}, {Kind: yaml.ScalarNode, Value: p.Name},
			{Kind: yaml.ScalarNode, Value: "value"}, value,
		}})
	}
	return marshal(&seq)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func marshal(v any) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}
