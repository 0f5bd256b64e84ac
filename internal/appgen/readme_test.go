package appgen

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var tags = regexp.MustCompile(`<(/?[a-z0-9]+)[^>]*>`)

// renderHTML renders Markdown as GitHub does (CommonMark with GFM tables, strikethrough and
// autolinks) and returns the HTML and its structure: the sequence of its tags but code spans
// (a text a code span cannot hold exactly is written as escaped text) and autolinks (a URL
// shown as itself).
func renderHTML(t *testing.T, md string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM)).Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, m := range tags.FindAllStringSubmatch(b.String(), -1) {
		if name := strings.TrimPrefix(m[1], "/"); name != "code" && name != "a" {
			seq = append(seq, m[1])
		}
	}
	return b.String(), strings.Join(seq, " ")
}

// The README section has the same structure whatever the text in it (no heading, row, cell,
// link or emphasis added by an input), shows each text as written, and names every canonical
// path of the app, Direct-Vault included.
func TestReadmeReadsWellWithAnyInput(t *testing.T) {
	t.Parallel()
	app, _, _ := nastyApp(t)
	direct := fixtures(t)["direct-backend-api"]
	for name, a := range map[string]App{"eso": app, "direct-vault": direct} {
		plain := a
		plain.Vars = append([]Var(nil), a.Vars...)
		for i := range plain.Vars {
			if !plain.Vars[i].Secret {
				plain.Vars[i].Default, plain.Vars[i].Reason = "plain", "plain"
			}
		}
		plain.Justification, plain.LeaseStrategy = "plain", "plain"
		for i, s := range nastyText { // hostile text in the Direct-Vault fields too
			if name == "direct-vault" {
				a.Justification += s
				a.LeaseStrategy = s + a.LeaseStrategy
				a.Vars = append(a.Vars, Var{Name: "TEXT_" + string(rune('A'+i%26)), Default: s, Reason: s})
				plain.Vars = append(plain.Vars, Var{Name: "TEXT_" + string(rune('A'+i%26)), Default: "plain", Reason: "plain"})
			}
		}
		got, gotTags := renderHTML(t, Readme(a))
		_, wantTags := renderHTML(t, Readme(plain))
		if gotTags != wantTags {
			t.Errorf("%s: the input changed the README's structure:\n got %s\nwant %s\n%s", name, gotTags, wantTags, Readme(a))
		}
		text := html.UnescapeString(tags.ReplaceAllString(got, ""))
		for _, v := range a.Vars {
			if v.Secret {
				continue
			}
			for _, s := range []string{v.Reason, v.Default} {
				if want := strings.ReplaceAll(s, "\x00", "\uFFFD"); !strings.Contains(text, want) {
					t.Errorf("%s: %q is not shown as written", name, s)
				}
			}
		}
		for key, fields := range a.Paths {
			for field := range fields {
				if !strings.Contains(text, "secret-prod/"+a.Service+"/"+key) || !strings.Contains(text, field) {
					t.Errorf("%s: the README does not name %s#%s", name, key, field)
				}
			}
		}
	}
	if !strings.Contains(Readme(direct), "`secret-prod/backend-api/jwt/signing-key`") {
		t.Errorf("the Direct-Vault README does not name the app's own path:\n%s", Readme(direct))
	}
}
