// Command mosaic-lint finds the secrets policy's forbidden patterns in an app repository:
// untagged fallback defaults, Vault clients in ESO apps, hard-coded secrets, and .env files in
// deployment paths. Exit 0: clean; 1: findings; 2: usage or I/O error.
//
//	mosaic-lint [--format text|json|sarif|github] [--config .mosaic-lint.yaml] [paths...]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/lint"
)

var version = "dev"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mosaic-lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: "+strings.Join(lint.Formats, ", "))
	config := fs.String("config", ".mosaic-lint.yaml", "file of exclusions (each with a reason), relative to the repository root")
	root := fs.String("root", ".", "the repository root")
	showVersion := fs.Bool("version", false, "print the version")
	noDefaults := fs.Bool("no-default-excludes", false, "also lint tests, fixtures, cassettes and locales (see default_excludes in .mosaic-lint.yaml)")
	strict := fs.Bool("strict", false, "exit 1 when a file or line was skipped (too large, a symlink), not only on findings")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mosaic-lint [flags] [paths...]\n\nFinds the secrets policy's forbidden patterns. Exit 0: clean; 1: findings; 2: usage or I/O error.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "mosaic-lint", version)
		return 0
	}
	valid := false
	for _, f := range lint.Formats {
		valid = valid || f == *format
	}
	if !valid {
		fmt.Fprintf(stderr, "mosaic-lint: unknown format %q: use one of %s\n", *format, strings.Join(lint.Formats, ", "))
		return 2
	}
	cfg := *config
	if !filepath.IsAbs(cfg) {
		cfg = filepath.Join(*root, cfg)
	}
	opts, err := lint.LoadConfig(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "mosaic-lint:", err)
		return 2
	}
	for _, p := range fs.Args() {
		if _, err := os.Stat(filepath.Join(*root, p)); err != nil {
			fmt.Fprintln(stderr, "mosaic-lint:", err)
			return 2
		}
	}
	files, err := lint.Files(*root, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "mosaic-lint:", err)
		return 2
	}
	opts.NoDefaultExcludes = opts.NoDefaultExcludes || *noDefaults
	res, err := lint.Lint(*root, files, opts)
	if err != nil {
		fmt.Fprintln(stderr, "mosaic-lint:", err)
		return 2
	}
	if err := lint.Write(stdout, *format, version, res); err != nil {
		fmt.Fprintln(stderr, "mosaic-lint:", err)
		return 2
	}
	if *format == "text" {
		fmt.Fprintf(stderr, "mosaic-lint: %d finding(s), %d file(s) checked, %d excluded, %d skipped\n",
			len(res.Findings), res.Checked, len(res.Excluded), len(res.Skipped))
	}
	if len(res.Findings) > 0 || *strict && len(res.Skipped) > 0 {
		return 1
	}
	return 0
}
