package lint

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/hashicorp/vault/api"
	"go.yaml.in/yaml/v3"
)

// "DO NOT GUESS secret paths", the policy's first rule: every path an app names must exist in
// Vault. The paths come from its ExternalSecrets (remoteRef key and property, dataFrom extract
// key) and from the canonical paths its README's "Secrets architecture" section names; Verify
// reads each one (KV v2 data, else metadata; KV v1) with a read-only token and reports the missing
// ones with the nearest existing path. It never writes and never prints a secret value.

// RuleSecretPathMissing is the rule id of Verify's findings.
const RuleSecretPathMissing = "secret-path-not-in-vault"

// SecretRef is one Vault path (and optionally one field of it) that a file of the app names.
type SecretRef struct {
	File, Path, Property, Source string
	Line, PropertyLine           int
}

// esoDoc is the part of an External Secrets resource this package reads.
type esoDoc struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Target struct {
			Name string `yaml:"name"`
		} `yaml:"target"`
		Data []struct {
			SecretKey string `yaml:"secretKey"`
		} `yaml:"data"`
		Provider struct {
			Vault struct {
				Path string `yaml:"path"`
			} `yaml:"vault"`
		} `yaml:"provider"`
	} `yaml:"spec"`
}

// yamlDocs decodes every document of a YAML file as nodes; a file that does not parse (a Helm
// template) gives the documents before the error.
func yamlDocs(data []byte) []*yaml.Node {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var out []*yaml.Node
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return out
		}
		out = append(out, &n)
	}
}

func isYAML(name string) bool {
	ext := path.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}

// child returns the value node of key in a mapping node.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// walkYAML calls f on every mapping node under n.
func walkYAML(n *yaml.Node, f func(*yaml.Node)) {
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		f(n)
	}
	for _, c := range n.Content {
		walkYAML(c, f)
	}
}

// ExternalSecretRefs lists the remoteRef (key, property) and dataFrom extract keys of every
// ExternalSecret and ClusterExternalSecret in the files, and the mount paths of the Vault
// SecretStores (their spec.provider.vault.path).
func ExternalSecretRefs(root string, files []string) (refs []SecretRef, storePaths []string) {
	for _, f := range files {
		if !isYAML(f) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil || !strings.Contains(string(data), "external-secrets.io/") {
			continue
		}
		for _, doc := range yamlDocs(data) {
			var d esoDoc
			if doc.Decode(&d) != nil {
				continue
			}
			switch d.Kind {
			case "SecretStore", "ClusterSecretStore":
				if p := d.Spec.Provider.Vault.Path; p != "" && !slices.Contains(storePaths, p) {
					storePaths = append(storePaths, p)
				}
			case "ExternalSecret", "ClusterExternalSecret":
				walkYAML(doc, func(m *yaml.Node) {
					for _, field := range []string{"remoteRef", "extract"} {
						ref := child(m, field)
						key := child(ref, "key")
						if key == nil || key.Value == "" {
							continue
						}
						r := SecretRef{File: f, Line: key.Line, Path: key.Value, Source: "ExternalSecret " + field}
						if p := child(ref, "property"); p != nil {
							r.Property, r.PropertyLine = p.Value, p.Line
						}
						refs = append(refs, r)
					}
				})
			}
		}
	}
	return refs, storePaths
}

// canonicalPath is a Vault path as the policy writes them: secret-prod/app/db/main, secret/k3s/app.
var canonicalPath = regexp.MustCompile("(?:^|[\\s`'\"(])((?:secret|kv)(?:-[a-z0-9]+)?/[a-z0-9][a-z0-9_.\\-]*(?:/[a-z0-9][a-z0-9_.\\-]*)+)")

// ReadmeRefs lists the canonical paths named in the "Secrets architecture" section of the
// repository's README.
func ReadmeRefs(root string) []SecretRef {
	name, text := readReadme(root)
	if name == "" {
		return nil
	}
	start, section := secretsSection(text)
	if start < 0 {
		return nil
	}
	var refs []SecretRef
	seen := map[string]bool{}
	for _, m := range canonicalPath.FindAllStringSubmatchIndex(section, -1) {
		p := strings.TrimSuffix(section[m[2]:m[3]], ".")
		if seen[p] {
			continue
		}
		seen[p] = true
		line := strings.Count(text[:start+m[2]], "\n") + 1
		refs = append(refs, SecretRef{File: name, Line: line, Path: p, Source: "README Secrets architecture"})
	}
	return refs
}

func readReadme(root string) (string, string) {
	for _, name := range []string{"README.md", "README", "readme.md", "Readme.md", "README.rst", "README.txt"} {
		if b, err := os.ReadFile(filepath.Join(root, name)); err == nil {
			return name, string(b)
		}
	}
	return "", ""
}

// secretsSection returns the offset and text of the README's "Secrets architecture" section (to
// the next heading of its level or higher), or -1.
func secretsSection(readme string) (int, string) {
	loc := secretsArchitecture.FindStringIndex(readme)
	if loc == nil {
		return -1, ""
	}
	level := len(readme[loc[0]:loc[1]]) - len(strings.TrimLeft(readme[loc[0]:loc[1]], "#"))
	section := readme[loc[1]:]
	for off := 0; ; {
		n := anyHeading.FindStringIndex(section[off:])
		if n == nil {
			break
		}
		start := off + n[0]
		hashes := len(section[start:]) - len(strings.TrimLeft(section[start:], "#"))
		if hashes <= level {
			section = section[:start]
			break
		}
		off += n[1]
	}
	return loc[1], section
}

// Verify checks each reference against Vault and returns a finding for each path or property that
// does not exist, with the nearest existing one. An error means Vault could not answer (not
// reachable, or the token may not read a path): nothing was verified for sure.
func Verify(ctx context.Context, c *api.Client, refs []SecretRef, storePaths []string) ([]Finding, error) {
	v := verifier{c: c, ctx: ctx}
	var out []Finding
	for _, r := range refs {
		m, found, err := v.resolve(r.Path, storePaths)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", r.File, r.Line, r.Path, err)
		}
		if !found {
			msg := fmt.Sprintf("%s names %s, which does not exist in Vault: the policy's first rule is DO NOT GUESS secret paths", r.Source, r.Path)
			fix := "create the secret at this path (IaC), or correct the path"
			if near := v.nearest(m); near != "" {
				fix = fmt.Sprintf("the nearest existing path is %s; correct the path, or create the secret (IaC)", near)
			}
			out = append(out, Finding{Rule: RuleSecretPathMissing, File: r.File, Line: r.Line, Column: 1, Message: msg, Fix: fix})
			continue
		}
		if r.Property == "" || m.fields == nil || slices.Contains(m.fields, r.Property) {
			continue
		}
		fix := "add the field to the secret, or correct the property"
		if near := nearestName(r.Property, m.fields); near != "" {
			fix = fmt.Sprintf("the secret has no field %q; the nearest is %q", r.Property, near)
		}
		out = append(out, Finding{Rule: RuleSecretPathMissing, File: r.File, Line: r.PropertyLine, Column: 1,
			Message: fmt.Sprintf("%s names property %q of %s, which the secret does not have", r.Source, r.Property, r.Path), Fix: fix})
	}
	return out, nil
}

type verifier struct {
	c   *api.Client
	ctx context.Context
}

// mounted is a path split at its KV mount, and the secret's field names once read (nil when
// only the metadata could be read).
type mounted struct {
	mount, rel string
	v2         bool
	fields     []string
}

// resolve finds the path's KV mount (as `vault kv` does, through sys/internal/ui/mounts, which any
// token may read), trying the path as written and then under each SecretStore's mount, and reads it.
func (v verifier) resolve(p string, storePaths []string) (mounted, bool, error) {
	p = strings.Trim(p, "/")
	candidates := []string{p}
	for _, sp := range storePaths {
		if sp = strings.Trim(sp, "/"); !strings.HasPrefix(p, sp+"/") {
			candidates = append(candidates, sp+"/"+p)
		}
	}
	var first mounted
	for i, cand := range candidates {
		m, ok, err := v.mountOf(cand)
		if err != nil {
			return mounted{}, false, err
		}
		if !ok {
			continue
		}
		found, err := v.read(&m)
		if err != nil || found {
			return m, found, err
		}
		if i == 0 || first.mount == "" {
			first = m
		}
	}
	return first, false, nil
}

func (v verifier) mountOf(p string) (mounted, bool, error) {
	s, err := v.c.Logical().ReadWithContext(v.ctx, "sys/internal/ui/mounts/"+p)
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && (re.StatusCode == http.StatusForbidden || re.StatusCode == http.StatusNotFound) {
			return mounted{}, false, nil // no mount at this path, or none the token may see
		}
		return mounted{}, false, err
	}
	if s == nil || s.Data == nil {
		return mounted{}, false, nil
	}
	mount, _ := s.Data["path"].(string)
	mount = strings.Trim(mount, "/")
	if mount == "" || !strings.HasPrefix(p, mount) {
		return mounted{}, false, nil
	}
	m := mounted{mount: mount, rel: strings.Trim(strings.TrimPrefix(p, mount), "/")}
	if opts, ok := s.Data["options"].(map[string]any); ok && opts["version"] == "2" {
		m.v2 = true
		m.rel = strings.TrimPrefix(strings.TrimPrefix(m.rel, "data/"), "metadata/")
	}
	return m, true, nil
}

// read reads the secret (data, else metadata when the token may not read the data) and keeps its
// field names. It never returns or prints the values.
func (v verifier) read(m *mounted) (bool, error) {
	if m.rel == "" {
		return false, nil
	}
	dataPath := m.mount + "/" + m.rel
	if m.v2 {
		dataPath = m.mount + "/data/" + m.rel
	}
	s, err := v.c.Logical().ReadWithContext(v.ctx, dataPath)
	var re *api.ResponseError
	if err != nil && errors.As(err, &re) && re.StatusCode == http.StatusForbidden && m.v2 {
		s, err = v.c.Logical().ReadWithContext(v.ctx, m.mount+"/metadata/"+m.rel)
		if err == nil && s != nil {
			return true, nil // exists; the fields are not readable with this token
		}
	}
	if err != nil {
		return false, err
	}
	if s == nil || s.Data == nil {
		return false, nil
	}
	data := s.Data
	if m.v2 {
		d, ok := s.Data["data"].(map[string]any)
		if !ok {
			return false, nil // deleted or destroyed version
		}
		data = d
	}
	m.fields = make([]string, 0, len(data))
	for k := range data {
		m.fields = append(m.fields, k)
	}
	slices.Sort(m.fields)
	return true, nil
}

// nearest walks down from the mount, at each level taking the segment as written when it exists
// and else the closest listed key (edit distance), and returns the path it reaches.
func (v verifier) nearest(m mounted) string {
	if m.mount == "" {
		return ""
	}
	segs := strings.Split(m.rel, "/")
	prefix := ""
	for i, seg := range segs {
		listPath := m.mount + "/" + prefix
		if m.v2 {
			listPath = m.mount + "/metadata/" + prefix
		}
		s, err := v.c.Logical().ListWithContext(v.ctx, listPath)
		if err != nil || s == nil {
			break
		}
		keys, _ := s.Data["keys"].([]any)
		var names []string
		for _, k := range keys {
			if ks, ok := k.(string); ok {
				names = append(names, ks)
			}
		}
		last := i == len(segs)-1
		want := seg
		if !last {
			want += "/"
		}
		pick := want
		if !slices.Contains(names, want) {
			pick = nearestName(want, names)
		}
		if pick == "" {
			break
		}
		prefix += pick
		if !strings.HasSuffix(pick, "/") {
			return m.mount + "/" + prefix
		}
	}
	if prefix == "" {
		return ""
	}
	return m.mount + "/" + strings.TrimSuffix(prefix, "/")
}

func nearestName(want string, names []string) string {
	best, bestD := "", -1
	for _, n := range names {
		if d := levenshtein.ComputeDistance(want, n); bestD < 0 || d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// VerifyRepository collects the references of a repository and verifies them.
func VerifyRepository(ctx context.Context, c *api.Client, root string, files []string) ([]Finding, int, error) {
	refs, stores := ExternalSecretRefs(root, files)
	refs = append(refs, ReadmeRefs(root)...)
	found, err := Verify(ctx, c, refs, stores)
	return found, len(refs), err
}
