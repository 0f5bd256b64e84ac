package vault

import "strings"

// The Vault API paths the provider uses, in one place: calls and error messages both ask here.

// KVDataPath is the KV v2 API path of a secret's data: "secret-prod/data/web/database/app".
func KVDataPath(mount, rel string) string { return mount + "/data/" + rel }

// KVMetadataPath is the KV v2 API path of a secret's metadata.
func KVMetadataPath(mount, rel string) string { return mount + "/metadata/" + rel }

// KVDeletePath is the KV v2 API path that soft-deletes versions of a secret.
func KVDeletePath(mount, rel string) string { return mount + "/delete/" + rel }

// KVUndeletePath is the KV v2 API path that restores soft-deleted versions.
func KVUndeletePath(mount, rel string) string { return mount + "/undelete/" + rel }

// KVConfigPath is a KV v2 mount's configuration.
func KVConfigPath(mount string) string { return mount + "/config" }

// PolicyPath is the API path of an ACL policy.
func PolicyPath(name string) string { return "sys/policies/acl/" + name }

// MountPath is the API path of a secrets engine mount.
func MountPath(mount string) string { return "sys/mounts/" + strings.Trim(mount, "/") }

// AuthPath is the API path of an auth method.
func AuthPath(mount string) string { return "sys/auth/" + strings.Trim(mount, "/") }

// AuthConfigPath is an auth method's configuration.
func AuthConfigPath(mount string) string { return "auth/" + strings.Trim(mount, "/") + "/config" }

// RolePath is the API path of a role of an auth method (AppRole, JWT).
func RolePath(mount, role string) string { return "auth/" + mount + "/role/" + role }

// RoleIDPath is where a role's role_id is read.
func RoleIDPath(mount, role string) string { return RolePath(mount, role) + "/role-id" }

// SecretIDPath is where a role's secret_ids are minted.
func SecretIDPath(mount, role string) string { return RolePath(mount, role) + "/secret-id" }

// SecretIDLookupPath looks up a secret_id.
func SecretIDLookupPath(mount, role string) string {
	return RolePath(mount, role) + "/secret-id/lookup"
}

// AccessorDestroyPath destroys a secret_id by its accessor.
func AccessorDestroyPath(mount, role string) string {
	return RolePath(mount, role) + "/secret-id-accessor/destroy"
}

// LoginPath is an auth method's login endpoint.
func LoginPath(mount string) string { return "auth/" + strings.Trim(mount, "/") + "/login" }
