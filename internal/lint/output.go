package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Formats are the output formats of Write.
var Formats = []string{"text", "json", "sarif", "github"}

// Write prints the findings in a format: text (file:line:column: rule: message), json, sarif
// (SARIF 2.1.0, for code scanning) or github (workflow annotations).
func Write(w io.Writer, format, version string, findings []Finding) error {
	switch format {
	case "text", "":
		for _, f := range findings {
			if _, err := fmt.Fprintf(w, "%s:%d:%d: %s: %s\n    fix: %s\n", f.File, f.Line, f.Column, f.Rule, f.Message, f.Fix); err != nil {
				return err
			}
		}
		return nil
	case "json":
		if findings == nil {
			findings = []Finding{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(findings)
	case "github":
		for _, f := range findings {
			if _, err := fmt.Fprintf(w, "::error file=%s,line=%d,col=%d,title=%s::%s\n", ghProperty(f.File), f.Line, f.Column,
				ghProperty("mosaic-lint "+f.Rule), ghData(f.Message+". Fix: "+f.Fix)); err != nil {
				return err
			}
		}
		return nil
	case "sarif":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(SARIF(version, findings))
	}
	return fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SARIF is the findings as a SARIF 2.1.0 log.
func SARIF(version string, findings []Finding) map[string]any {
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
	results := make([]any, 0, len(findings))
	for _, f := range findings {
		results = append(results, map[string]any{
			"ruleId": f.Rule, "ruleIndex": slices.Index(ids, f.Rule), "level": "error",
			"message": map[string]any{"text": f.Message + ". Fix: " + f.Fix},
			"locations": []any{map[string]any{"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": f.File, "uriBaseId": "%SRCROOT%"},
				"region":           map[string]any{"startLine": f.Line, "startColumn": f.Column},
			}}},
		})
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
			"results": results,
		}},
	}
}

// Config is .mosaic-lint.yaml: files not to lint, each with the reason.
type Config struct {
	Exclude []struct {
		Path   string `yaml:"path"`
		Reason string `yaml:"reason"`
	} `yaml:"exclude"`
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
	var o Options
	for i, e := range c.Exclude {
		if strings.TrimSpace(e.Path) == "" || strings.TrimSpace(e.Reason) == "" {
			return Options{}, fmt.Errorf("%s: exclude entry %d needs a path and a reason", file, i+1)
		}
		o.Exclude = append(o.Exclude, e.Path)
	}
	return o, nil
}
