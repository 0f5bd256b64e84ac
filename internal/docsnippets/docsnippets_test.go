package docsnippets

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	md := "# Title\n\n<!-- fragment: examples/a/b.tf -->\n```terraform\nresource \"x\" \"y\" {}\n```\n\ntext\n\n" +
		"```sh\nmake install-mirror\n```\n<!-- not a marker -->\n\n```hcl\nz = 1\n```\n"
	blocks, err := Parse("doc.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{File: "doc.md", Line: 4, Lang: "terraform", Text: "resource \"x\" \"y\" {}\n", Kind: "fragment", Arg: "examples/a/b.tf"},
		{File: "doc.md", Line: 10, Lang: "sh", Text: "make install-mirror\n"},
		{File: "doc.md", Line: 15, Lang: "hcl", Text: "z = 1\n"},
	}
	if len(blocks) != len(want) {
		t.Fatalf("got %d blocks, want %d: %+v", len(blocks), len(want), blocks)
	}
	for i := range want {
		if blocks[i] != want[i] {
			t.Errorf("block %d: got %+v, want %+v", i, blocks[i], want[i])
		}
	}
	if _, err := Parse("bad.md", []byte("```hcl\nx = 1\n")); err == nil || !strings.Contains(err.Error(), "bad.md:1") {
		t.Errorf("an unclosed block: got %v", err)
	}
}

func TestContainedIn(t *testing.T) {
	t.Parallel()
	full := "resource \"a\" \"b\" {\n  x     = 1 # one\n  y     = \"#2\"\n  z = 3\n}\n"
	tests := map[string]struct{ fragment, missing string }{
		"all, other spacing and comments": {"resource \"a\" \"b\" {\n  x = 1  # the first\n\n  y = \"#2\"\n}\n", ""},
		"a subsequence":                   {"  x = 1\n  z = 3\n", ""},
		"a changed value":                 {"  x = 1\n  y = \"#3\"\n", `y = "#3"`},
		"out of order":                    {"  z = 3\n  x = 1\n", "x = 1"},
		"a line full lacks":               {"  w = 0\n", "w = 0"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := ContainedIn(tc.fragment, full); got != tc.missing {
				t.Errorf("got %q, want %q", got, tc.missing)
			}
		})
	}
}

func TestOnboarding(t *testing.T) {
	t.Parallel()
	block := func(step, text string) string {
		return "<!-- onboarding: " + step + " -->\n```terraform\n" + text + "```\n"
	}
	md := block("platform", "provider \"mosaic\" {}\n\n"+PlatformHeader+"\n  a = 1\n}\n") +
		block("ci-identity", "  issuers = {\n    gh = 1\n  }\n") +
		block("ci-provider", "provider \"mosaic\" {\n}\n") +
		block("eso-issuer", "    k8s = 2\n") +
		block("eso-identity", "  c = 3\n") +
		block("eso-keys", "variable \"k\" {}\n") +
		block("eso-store", "data \"d\" \"e\" {}\n") +
		block("first-app", "resource \"r\" \"s\" {}\n")
	blocks, err := Parse("guide.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	g, err := Onboarding(blocks)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"provider \"mosaic\" {}\n\n" + PlatformHeader + "\n  a = 1\n}\n",
		"provider \"mosaic\" {}\n\n" + PlatformHeader + "\n  a = 1\n  issuers = {\n    gh = 1\n  }\n}\n",
		"provider \"mosaic\" {}\n\n" + PlatformHeader + "\n  a = 1\n  issuers = {\n    gh = 1\n    k8s = 2\n  }\n  c = 3\n}\n" +
			"\nvariable \"k\" {}\n\ndata \"d\" \"e\" {}\n",
	}
	if len(g.Platform) != len(want) {
		t.Fatalf("platform stages: %q", g.Platform)
	}
	for i := range want {
		if g.Platform[i] != want[i] {
			t.Errorf("platform after stage %d:\n got %q\nwant %q", i, g.Platform[i], want[i])
		}
	}
	if g.Pipeline != "provider \"mosaic\" {\n}\n\nresource \"r\" \"s\" {}\n" {
		t.Errorf("pipeline: %q", g.Pipeline)
	}
	if _, err := Onboarding(blocks[:7]); err == nil || !strings.Contains(err.Error(), "onboarding: first-app") {
		t.Errorf("a missing step: got %v", err)
	}
}

func TestInsertInto(t *testing.T) {
	t.Parallel()
	config := "resource \"r\" \"s\" {\n  issuers = {\n    a = 1\n  }\n  x = {\n  }\n}\n"
	got, err := InsertInto(config, "issuers = {", "    b = 2")
	if want := "resource \"r\" \"s\" {\n  issuers = {\n    a = 1\n    b = 2\n  }\n  x = {\n  }\n}\n"; err != nil || got != want {
		t.Errorf("nested: got %q, %v", got, err)
	}
	got, err = InsertInto(config, `resource "r" "s" {`, "  y = 3\n")
	if want := "resource \"r\" \"s\" {\n  issuers = {\n    a = 1\n  }\n  x = {\n  }\n  y = 3\n}\n"; err != nil || got != want {
		t.Errorf("top level: got %q, %v", got, err)
	}
	if _, err := InsertInto(config, "missing = {", "z = 1"); err == nil {
		t.Error("a missing header: no error")
	}
}
