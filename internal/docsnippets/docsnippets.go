// Package docsnippets reads the fenced code blocks of the Markdown docs (README.md, docs/,
// templates/) with the marker comment written right before each, so that tests can run the
// docs as a reader would: every HCL block validated as written, the install commands run
// literally, the onboarding guide applied step by step.
//
// A marker is an HTML comment on the line before the fence (it does not render):
//
//	<!-- fragment: examples/resources/mosaic_app_secrets/resource.tf -->  part of that full example
//	<!-- onboarding: platform -->                                        a step of the onboarding guide
//	<!-- other-provider: hashicorp/vault -->                             another provider's HCL: syntax only
//	<!-- install: mirror -->                                             a README install command
package docsnippets

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Block is one fenced code block.
type Block struct {
	File string // path relative to the repository root
	Line int    // line of the opening fence
	Lang string // the fence's info string: terraform, hcl, sh...
	Text string
	// Kind and Arg are the marker's (`<!-- kind: arg -->` on the line before the fence), or empty.
	Kind, Arg string
}

// Where is File:Line, for messages.
func (b Block) Where() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

// IsHCL reports whether the block is Terraform configuration.
func (b Block) IsHCL() bool {
	return b.Lang == "terraform" || b.Lang == "hcl" || b.Lang == "tf"
}

var markerRe = regexp.MustCompile(`^<!--\s*([a-z][a-z-]*):\s*(.*?)\s*-->$`)

// Parse returns the fenced blocks of a Markdown (or tfplugindocs template) text.
func Parse(file string, md []byte) ([]Block, error) {
	var blocks []Block
	var cur *Block
	var body strings.Builder
	prev := ""
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &Block{File: file, Line: n, Lang: strings.TrimSpace(strings.TrimPrefix(line, "```"))}
			if m := markerRe.FindStringSubmatch(strings.TrimSpace(prev)); m != nil {
				cur.Kind, cur.Arg = m[1], m[2]
			}
			body.Reset()
		case cur != nil && strings.TrimSpace(line) == "```":
			cur.Text = body.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(line + "\n")
		}
		prev = line
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: code block never closed", file, cur.Line)
	}
	return blocks, sc.Err()
}

// Root is the repository root: the nearest folder above the working directory with a go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Docs returns every block of README.md, docs/**/*.md and templates/**/*.tmpl under root.
func Docs(root string) ([]Block, error) {
	files := []string{"README.md"}
	for _, dir := range []string{"docs", "templates"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".tmpl")) {
				rel, _ := filepath.Rel(root, p)
				files = append(files, rel)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	var all []Block
	for _, f := range files {
		md, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return nil, err
		}
		blocks, err := Parse(f, md)
		if err != nil {
			return nil, err
		}
		all = append(all, blocks...)
	}
	return all, nil
}

// File returns the blocks of one Markdown file under root.
func File(root, file string) ([]Block, error) {
	md, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return nil, err
	}
	return Parse(file, md)
}

// Marked returns the text of the one block of blocks marked `<!-- kind: arg -->`.
func Marked(blocks []Block, kind, arg string) (string, error) {
	var found []Block
	for _, b := range blocks {
		if b.Kind == kind && b.Arg == arg {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("want exactly one block marked <!-- %s: %s -->, found %d", kind, arg, len(found))
	}
	return found[0].Text, nil
}

// ContainedIn reports the first line of fragment that full lacks, in order: every line of the
// fragment, without its `#` comment and with spaces collapsed, must appear in full after the
// line matched before it. Empty when the fragment is part of full.
func ContainedIn(fragment, full string) string {
	have := strings.Split(full, "\n")
	i := 0
	for _, line := range strings.Split(fragment, "\n") {
		want := normalise(line)
		if want == "" {
			continue
		}
		for i < len(have) && normalise(have[i]) != want {
			i++
		}
		if i == len(have) {
			return strings.TrimSpace(line)
		}
		i++
	}
	return ""
}

// normalise drops a trailing `#` comment (outside quotes) and collapses spaces.
func normalise(line string) string {
	inQuote := false
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '"' && (i == 0 || line[i-1] != '\\'):
			inQuote = !inQuote
		case line[i] == '#' && !inQuote:
			line = line[:i]
		}
	}
	return strings.Join(strings.Fields(line), " ")
}

// InsertInto adds addition at the end of the body of the block that opens with the line
// header (e.g. `resource "mosaic_platform" "this" {`, or `issuers = {` inside it), as a reader
// does with "Add to mosaic_platform.this". The block must close with a `}` line indented as
// its header.
func InsertInto(config, header, addition string) (string, error) {
	lines := strings.Split(config, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != header {
			continue
		}
		closing := l[:len(l)-len(strings.TrimLeft(l, " "))] + "}"
		for j := i + 1; j < len(lines); j++ {
			if lines[j] == closing {
				out := append(append(append([]string{}, lines[:j]...), strings.TrimRight(addition, "\n")), lines[j:]...)
				return strings.Join(out, "\n"), nil
			}
		}
		return "", fmt.Errorf("the block %q has no closing brace indented as its header", header)
	}
	return "", fmt.Errorf("no block %q", header)
}

// OnboardingGuide is the onboarding guide's path as a reader assembles it from the blocks
// marked `<!-- onboarding: STEP -->`: the platform workspace after each step that changes it
// (the identity steps' blocks go where the guide says: into `mosaic_platform.this`, into its
// `issuers`, or beside it) and the pipeline's workspace (its provider block and the first app).
type OnboardingGuide struct {
	Platform []string // after step 1, after the CI identity, after the ESO identity and store
	Pipeline string
}

// PlatformHeader opens the resource the guide's identity steps add to; IssuersHeader its
// issuers map.
const (
	PlatformHeader = `resource "mosaic_platform" "this" {`
	IssuersHeader  = `issuers = {`
)

// Onboarding assembles the guide from its blocks.
func Onboarding(blocks []Block) (OnboardingGuide, error) {
	step := map[string]string{}
	for _, name := range []string{"platform", "ci-identity", "ci-provider", "eso-issuer", "eso-identity", "eso-keys", "eso-store", "first-app"} {
		text, err := Marked(blocks, "onboarding", name)
		if err != nil {
			return OnboardingGuide{}, err
		}
		step[name] = text
	}
	var g OnboardingGuide
	platform := step["platform"]
	g.Platform = append(g.Platform, platform)
	for _, stage := range [][]struct{ name, into string }{
		{{"ci-identity", PlatformHeader}},
		{{"eso-issuer", IssuersHeader}, {"eso-identity", PlatformHeader}, {"eso-keys", ""}, {"eso-store", ""}},
	} {
		for _, s := range stage {
			if s.into == "" {
				platform += "\n" + step[s.name]
				continue
			}
			var err error
			if platform, err = InsertInto(platform, s.into, step[s.name]); err != nil {
				return OnboardingGuide{}, fmt.Errorf("onboarding step %s: %w", s.name, err)
			}
		}
		g.Platform = append(g.Platform, platform)
	}
	g.Pipeline = step["ci-provider"] + "\n" + step["first-app"]
	return g, nil
}
