// Command mosaic-lint finds the secrets policy's forbidden patterns in an app repository:
// untagged fallback defaults, Vault clients in ESO apps, hard-coded secrets, and .env files in
// deployment paths; checks the policy's bootstrap checklist; and verifies against Vault that
// every secret path the app names exists. Exit 0: clean; 1: findings; 2: usage, I/O or Vault error.
//
//	mosaic-lint [--format text|json|sarif|github] [--config .mosaic-lint.yaml] [paths...]
//	mosaic-lint bootstrap [--format ...] [--vault-addr URL]
//	mosaic-lint verify [--format ...] [--vault-addr URL]   (token: VAULT_TOKEN, read-only is enough)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/lint"
)

var version = "dev"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "verify" || args[0] == "bootstrap") {
		return runCheck(args[0], args[1:], stdout, stderr)
	}
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

// runCheck runs `verify` (every secret path the app names exists in Vault) or `bootstrap` (the
// policy's bootstrap checklist, and verify too when --vault-addr is given).
func runCheck(cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mosaic-lint "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: "+strings.Join(lint.Formats, ", "))
	root := fs.String("root", ".", "the repository root")
	config := fs.String("config", ".mosaic-lint.yaml", "file of exclusions (each with a reason), relative to the repository root")
	defaultAddr := ""
	if cmd == "verify" {
		defaultAddr = os.Getenv("VAULT_ADDR")
	}
	addr := fs.String("vault-addr", defaultAddr, "Vault address; the token is read from VAULT_TOKEN (a read-only token is enough)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mosaic-lint %s [flags]\n\n", cmd)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		if fs.NArg() > 0 {
			fs.Usage()
		}
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "mosaic-lint %s: %v\n", cmd, err)
		return 2
	}
	cfg := *config
	if !filepath.IsAbs(cfg) {
		cfg = filepath.Join(*root, cfg)
	}
	opts, err := lint.LoadConfig(cfg)
	if err != nil {
		return fail(err)
	}
	files, err := lint.Files(*root, nil)
	if err != nil {
		return fail(err)
	}
	var res lint.Result
	if cmd == "bootstrap" {
		if res.Findings, err = lint.Bootstrap(*root, files, opts); err != nil {
			return fail(err)
		}
	}
	if cmd == "verify" || *addr != "" {
		if *addr == "" {
			return fail(fmt.Errorf("no Vault address: pass --vault-addr or set VAULT_ADDR"))
		}
		if os.Getenv("VAULT_TOKEN") == "" {
			return fail(fmt.Errorf("no token: set VAULT_TOKEN (a read-only token is enough)"))
		}
		conf := api.DefaultConfig()
		conf.Address = *addr
		c, err := api.NewClient(conf)
		if err != nil {
			return fail(err)
		}
		c.SetToken(os.Getenv("VAULT_TOKEN"))
		found, checked, err := lint.VerifyRepository(context.Background(), c, *root, files)
		if err != nil {
			return fail(err)
		}
		res.Findings = append(res.Findings, found...)
		res.Checked = checked
		if *format == "text" {
			fmt.Fprintf(stderr, "mosaic-lint verify: %d secret path(s) checked against %s, %d missing\n", checked, *addr, len(found))
		}
	}
	if err := lint.Write(stdout, *format, version, res); err != nil {
		return fail(err)
	}
	if len(res.Findings) > 0 {
		return 1
	}
	return 0
}
