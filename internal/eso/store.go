package eso

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Store is the ClusterSecretStore of one namespace in one environment: ESO reads the
// environment's KV v2 mount as the namespace's own service account, logged in as the role
// eso-reader-{env}-{namespace} that mosaic_platform binds to that service account's subject
// and to the secrets of the namespace's apps only. The store's conditions let only
// ExternalSecrets of that namespace use it.
type Store struct {
	Environment string
	// Namespace whose apps the store serves (and where its service account lives).
	Namespace string
	// Name of the ClusterSecretStore (DNS-1123); default vault-backend-{namespace}.
	Name string
	// Server is Vault's address as ESO in the cluster reaches it.
	Server string
	// Auth is "jwt" (ESO's service account token, the JWT role eso-reader-{env}) or
	// "kubernetes" (Vault's Kubernetes auth method with a role of that name).
	Auth, AuthMount string
	// ServiceAccount is the namespace's service account whose token ESO presents; Audiences the
	// token's audiences (jwt).
	ServiceAccount string
	Audiences      []string
	// VaultNamespace is a Vault Enterprise namespace, if any.
	VaultNamespace string
}

// RenderStore renders the ClusterSecretStore as YAML.
func RenderStore(s Store) (string, error) {
	if err := policy.ValidateEnvironment(s.Environment); err != nil {
		return "", &InputError{Attr: "environment", Err: err}
	}
	if !dns1123.MatchString(s.Namespace) || len(s.Namespace) > 63 {
		return "", &InputError{Attr: "namespace", Err: fmt.Errorf("namespace %q is not a Kubernetes namespace name: name the namespace whose apps this store serves (one store per namespace)", s.Namespace)}
	}
	s.Name = orDefault(s.Name, DefaultStoreName+"-"+s.Namespace)
	if !dns1123.MatchString(s.Name) || len(s.Name) > 253 {
		return "", &InputError{Attr: "name", Err: fmt.Errorf("name %q is not a DNS-1123 name (lowercase letters, digits and '-', starting and ending with a letter or digit)", s.Name)}
	}
	if u, err := url.Parse(s.Server); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &InputError{Attr: "vault_server", Err: fmt.Errorf("vault_server %q is not an http(s) URL: write Vault's address as ESO in the cluster reaches it, e.g. https://vault.vault.svc:8200", s.Server)}
	}
	s.Auth = orDefault(s.Auth, "jwt")
	s.ServiceAccount = orDefault(s.ServiceAccount, "external-secrets")
	if !dns1123.MatchString(s.ServiceAccount) {
		return "", &InputError{Attr: "service_account", Err: fmt.Errorf("service_account %q is not a valid Kubernetes name", s.ServiceAccount)}
	}
	role := policy.ESONamespacePolicyName(s.Environment, s.Namespace)
	sa := map[string]any{"name": s.ServiceAccount, "namespace": s.Namespace}
	var auth map[string]any
	switch s.Auth {
	case "jwt":
		if s.AuthMount == "" {
			return "", &InputError{Attr: "auth_mount", Err: fmt.Errorf("auth_mount is required: the JWT auth mount of the cluster's issuer in mosaic_platform (issuers[...].mount, default jwt-{issuer})")}
		}
		aud := s.Audiences
		if len(aud) == 0 {
			aud = []string{"vault"}
		}
		auth = map[string]any{"jwt": map[string]any{
			"path": strings.Trim(s.AuthMount, "/"), "role": role,
			"kubernetesServiceAccountToken": map[string]any{"serviceAccountRef": sa, "audiences": aud},
		}}
	case "kubernetes":
		auth = map[string]any{"kubernetes": map[string]any{
			"mountPath": strings.Trim(orDefault(s.AuthMount, "kubernetes"), "/"), "role": role, "serviceAccountRef": sa,
		}}
	default:
		return "", &InputError{Attr: "auth", Err: fmt.Errorf("auth %q must be jwt (ESO's service account token with the JWT role %s) or kubernetes", s.Auth, role)}
	}
	vault := map[string]any{"server": s.Server, "path": policy.MountOf(s.Environment), "version": "v2", "auth": auth}
	if s.VaultNamespace != "" {
		vault["namespace"] = s.VaultNamespace
	}
	doc := map[string]any{
		"apiVersion": "external-secrets.io/v1",
		"kind":       "ClusterSecretStore",
		"metadata": map[string]any{"name": s.Name, "labels": map[string]any{
			"app.kubernetes.io/managed-by": "terraform-provider-mosaic", "mosaicstack.dev/environment": s.Environment,
			"mosaicstack.dev/namespace": s.Namespace}},
		"spec": map[string]any{
			"conditions": []any{map[string]any{"namespaces": []any{s.Namespace}}},
			"provider":   map[string]any{"vault": vault},
		},
	}
	return marshal(doc)
}
