// Package policy is the secrets policy of the Mosaic Vault guide as pure Go: environments and
// their KV v2 mounts, canonical paths, naming rules, deprecated-path migration, credential-like
// path segments, standard field names, access patterns, AppRole durations, extra read paths
// and the rendering of the ACL policies.
//
// It imports neither the plugin framework nor the Vault API: the provider's validators and
// functions call it, so every rule lives in one place.
package policy
