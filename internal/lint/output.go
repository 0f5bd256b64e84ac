package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Formats are the output formats of Write.
var Formats = []string{"text", "json", "sarif", "github"}

// Write prints a run in a format: text (file:line:column: rule: message), json, sarif (SARIF
// 2.1.0, for code scanning) or github (workflow annotations). Every format reports the skipped
// files (warnings) and the excluded ones (a count per pattern; json lists each file).
func Write(w io.Writer, format, version string, r Result) error {
	var err error
	p := func(f string, a ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, f, a...)
		}
	}
	switch format {
	case "text", "":
		for _, f := range r.Findings {
			p("%s:%d:%d: %s: %s\n    fix: %s\n", f.File, f.Line, f.Column, f.Rule, f.Message, f.Fix)
			for _, l := range f.Related {
				p("    also: %s:%d\n", l.File, l.Line)
			}
		}
		for _, s := range r.Skipped {
			p("%s: warning: skipped: %s\n", s.place(), s.Reason)
		}
		for _, e := range excludedCounts(r.Excluded) {
			p("note: %d file(s) excluded by %q (%s)\n", e.count, e.Pattern, e.Reason)
		}
		return err
	case "json":
		if r.Findings == nil {
			r.Findings = []Finding{}
		}
		if r.Excluded == nil {
			r.Excluded = []Excluded{}
		}
		if r.Skipped == nil {
			r.Skipped = []Skipped{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "github":
		for _, f := range r.Findings {
			p("::error file=%s,line=%d,col=%d,title=%s::%s\n", ghProperty(f.File), f.Line, f.Column,
				ghProperty("mosaic-lint "+f.Rule), ghData(f.Message+". Fix: "+f.Fix))
		}
		for _, s := range r.Skipped {
			p("::warning file=%s,line=%d,title=%s::%s\n", ghProperty(s.File), max(s.Line, 1), ghProperty("mosaic-lint skipped"), ghData(s.Reason))
		}
		for _, e := range excludedCounts(r.Excluded) {
			p("::notice title=%s::%s\n", ghProperty("mosaic-lint excluded"), ghData(fmt.Sprintf("%d file(s) excluded by %q (%s)", e.count, e.Pattern, e.Reason)))
		}
		return err
	case "sarif":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(SARIF(version, r))
	}
	return fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

func (s Skipped) place() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return s.File
}

type excludedCount struct {
	ExcludeRule
	count int
}

// excludedCounts counts the excluded files per pattern, in the order the patterns first matched.
func excludedCounts(ex []Excluded) []excludedCount {
	var out []excludedCount
	idx := map[string]int{}
	for _, e := range ex {
		i, ok := idx[e.Pattern]
		if !ok {
			i = len(out)
			idx[e.Pattern] = i
			out = append(out, excludedCount{ExcludeRule: ExcludeRule{Pattern: e.Pattern, Reason: e.Reason}})
		}
		out[i].count++
	}
	return out
}

// URI is a repository-relative path as a SARIF artifact URI: each segment percent-encoded
// (RFC 3986), the slashes kept.
func URI(file string) string {
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := strings.Join(segs, "/")
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u // not a scheme
	}
	return u
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

func sarifLocation(file string, line, col int) map[string]any {
	region := map[string]any{"startLine": max(line, 1)}
	if col > 0 {
		region["startColumn"] = col
	}
	return map[string]any{"physicalLocation": map[string]any{
		"artifactLocation": map[string]any{"uri": URI(file), "uriBaseId": "%SRCROOT%"},
		"region":           region,
	}}
}

// SARIF is a run as a SARIF 2.1.0 log: the findings as results (an app's further Vault-client
// imports as related locations), skipped files as warning notifications and excluded files as
// note notifications of the invocation.
func SARIF(version string, r Result) map[string]any {
	ids := make([]string, 0, len(Rules))
	for id := range Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rules := make([]any, len(ids))
	for i, id := range ids {
		rules[i] = map[string]any{
			"id": id, "name": id,
			"shortDescription":     map[string]any{"text": Rules[id]},
			"fullDescription":      map[string]any{"text": Rules[id]},
			"help":                 map[string]any{"text": Rules[id] + " See the mosaic-lint guide of terraform-provider-mosaic."},
			"defaultConfiguration": map[string]any{"level": "error"},
		}
	}
	results := make([]any, 0, len(r.Findings))
	for _, f := range r.Findings {
		res := map[string]any{
			"ruleId": f.Rule, "ruleIndex": slices.Index(ids, f.Rule), "level": "error",
			"message":   map[string]any{"text": f.Message + ". Fix: " + f.Fix},
			"locations": []any{sarifLocation(f.File, f.Line, f.Column)},
		}
		if len(f.Related) > 0 {
			rel := make([]any, len(f.Related))
			for i, l := range f.Related {
				loc := sarifLocation(l.File, l.Line, 0)
				loc["id"] = i + 1
				rel[i] = loc
			}
			res["relatedLocations"] = rel
		}
		results = append(results, res)
	}
	notes := []any{}
	for _, s := range r.Skipped {
		notes = append(notes, map[string]any{"level": "warning", "message": map[string]any{"text": "skipped: " + s.Reason},
			"locations": []any{sarifLocation(s.File, s.Line, 0)}})
	}
	for _, e := range excludedCounts(r.Excluded) {
		notes = append(notes, map[string]any{"level": "note",
			"message": map[string]any{"text": fmt.Sprintf("%d file(s) excluded by %q (%s)", e.count, e.Pattern, e.Reason)}})
	}
	if version == "" {
		version = "dev"
	}
	return map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "mosaic-lint", "version": version, "semanticVersion": strings.TrimPrefix(version, "v"),
				"informationUri": "https://github.com/mosaicstack/terraform-provider-mosaic", "rules": rules,
			}},
			"invocations": []any{map[string]any{"executionSuccessful": true, "toolExecutionNotifications": notes}},
			"results":     results,
		}},
	}
}

// Config is .mosaic-lint.yaml: files not to lint, each with the reason, and whether the
// default exclusions (tests, fixtures, locales...) apply.
type Config struct {
	Exclude         []ExcludeRule `yaml:"exclude"`
	DefaultExcludes *bool         `yaml:"default_excludes"`
}

// LoadConfig reads a config file; a missing file is an empty config. An exclusion without a
// reason is an error, as a suppression without one is a finding.
func LoadConfig(file string) (Options, error) {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return Options{}, nil
	}
	if err != nil {
		return Options{}, err
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return Options{}, fmt.Errorf("%s: %w", file, err)
	}
	o := Options{NoDefaultExcludes: c.DefaultExcludes != nil && !*c.DefaultExcludes}
	for i, e := range c.Exclude {
		if strings.TrimSpace(e.Pattern) == "" || strings.TrimSpace(e.Reason) == "" {
			return Options{}, fmt.Errorf("%s: exclude entry %d needs a path and a reason", file, i+1)
		}
		o.Exclude = append(o.Exclude, e)
	}
	return o, nil
}
