package eso

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Store is an environment's ClusterSecretStore: ESO reads the environment's KV v2 mount with
// the identity that mosaic_platform binds to eso-reader-{env}.
type Store struct {
	Environment string
	// Name of the ClusterSecretStore (DNS-1123); default vault-backend.
	Name string
	// Server is Vault's address as ESO in the cluster reaches it.
	Server string
	// Auth is "jwt" (ESO's service account token, the JWT role eso-reader-{env}) or
	// "kubernetes" (Vault's Kubernetes auth method with a role of that name).
	Auth, AuthMount string
	// ServiceAccount and ServiceAccountNamespace are ESO's service account; Audiences the
	// token's audiences (jwt).
	ServiceAccount, ServiceAccountNamespace string
	Audiences                               []string
	// VaultNamespace is a Vault Enterprise namespace, if any.
	VaultNamespace string
}

// RenderStore renders the ClusterSecretStore as YAML.
func RenderStore(s Store) (string, error) {
	if err := policy.ValidateEnvironment(s.Environment); err != nil {
		return "", &InputError{Attr: "environment", Err: err}
	}
	s.Name = orDefault(s.Name, DefaultStoreName)
	if !dns1123.MatchString(s.Name) || len(s.Name) > 253 {
		return "", &InputError{Attr: "name", Err: fmt.Errorf("name %q is not a DNS-1123 name (lowercase letters, digits and '-', starting and ending with a letter or digit)", s.Name)}
	}
	if u, err := url.Parse(s.Server); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", &InputError{Attr: "vault_server", Err: fmt.Errorf("vault_server %q is not an http(s) URL: write Vault's address as ESO in the cluster reaches it, e.g. https://vault.vault.svc:8200", s.Server)}
	}
	s.Auth = orDefault(s.Auth, "jwt")
	s.ServiceAccount = orDefault(s.ServiceAccount, "external-secrets")
	s.ServiceAccountNamespace = orDefault(s.ServiceAccountNamespace, "external-secrets")
	for attr, v := range map[string]string{"service_account": s.ServiceAccount, "service_account_namespace": s.ServiceAccountNamespace} {
		if !dns1123.MatchString(v) {
			return "", &InputError{Attr: attr, Err: fmt.Errorf("%s %q is not a valid Kubernetes name", attr, v)}
		}
	}
	role := policy.ESOReaderPolicyName(s.Environment)
	sa := map[string]any{"name": s.ServiceAccount, "namespace": s.ServiceAccountNamespace}
	var auth map[string]any
	switch s.Auth {
	case "jwt":
		aud := s.Audiences
		if len(aud) == 0 {
			aud = []string{"vault"}
		}
		auth = map[string]any{"jwt": map[string]any{
			"path": strings.Trim(orDefault(s.AuthMount, "jwt"), "/"), "role": role,
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
			"app.kubernetes.io/managed-by": "terraform-provider-mosaic", "mosaicstack.dev/environment": s.Environment}},
		"spec": map[string]any{"provider": map[string]any{"vault": vault}},
	}
	return marshal(doc)
}
