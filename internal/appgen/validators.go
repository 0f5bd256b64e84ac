package appgen

import (
	"fmt"
	"go/format"
	"strconv"
	"strings"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// The three validators check the same thing the same way: for each variable, its raw string
// (or its default when unset) against its rule (policy.Rule), then convert it to its type. The
// checks are fixed code written once per language; the declaration enters only as data, through
// the encoders of encode.go. A missing or invalid variable stops the app with its name and
// rule, never its value.

func message(v Var) string { return v.Name + " " + v.Rule.Describe() }

// TypeScript renders env.ts: a zod schema of the app's environment and loadEnv(), which
// exits the process naming each missing or invalid variable, never its value.
func TypeScript(a App) string {
	var b strings.Builder
	b.WriteString(header(a, "//"))
	fmt.Fprintf(&b, `import { z } from "zod";

type Rule =
  | { type: "string"; minLength: number }
  | { type: "int" | "port"; min: number; max: number }
  | { type: "bool" | "url" }
  | { type: "enum"; values: string[] };

const URL_PATTERN = new RegExp(%s, "u");
const INT_PATTERN = new RegExp(%s, "u");

// broken reports whether a raw value breaks its rule; the same checks as config.py and config.go.
function broken(rule: Rule, s: string): boolean {
  switch (rule.type) {
    case "int":
    case "port":
      return !INT_PATTERN.test(s) || Number(s) < rule.min || Number(s) > rule.max;
    case "bool":
      return s !== "true" && s !== "false";
    case "url":
      return !URL_PATTERN.test(s);
    case "enum":
      return !rule.values.includes(s);
    default:
      return Array.from(s).length < rule.minLength;
  }
}

const checked = (rule: Rule, message: string) => z.string().refine((s) => !broken(rule, s), { message });

export const envSchema = z.object({
`, jsLit(policy.URLPattern), jsLit(policy.IntPattern))
	for _, v := range a.Vars {
		fmt.Fprintf(&b, "  %s: ", jsLit(v.Name))
		check := fmt.Sprintf("checked(%s, %s)", jsRule(v.Rule), jsLit(message(v)))
		if v.Secret {
			b.WriteString(check)
		} else {
			fmt.Fprintf(&b, "z.string().default(%s).describe(%s).pipe(%s)", jsLit(v.Default), jsLit("safe-default: "+v.Reason), check)
		}
		switch v.Rule.Type {
		case policy.TypeInt, policy.TypePort:
			b.WriteString(".transform(Number)")
		case policy.TypeBool:
			b.WriteString(`.transform((s) => s === "true")`)
		}
		b.WriteString(",\n")
	}
	b.WriteString(`});

export type Env = z.infer<typeof envSchema>;

// loadEnv validates the environment at startup. A missing or invalid variable stops the
// process with its name and the rule it breaks; a value is never printed.
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = issue.path.join(".");
      console.error("invalid environment: " + (issue.code === "invalid_type" ? name + " is required" : issue.message));
    }
    process.exit(1);
  }
  return result.data;
}
`)
	return b.String()
}

func jsRule(r policy.Rule) string {
	switch r.Type {
	case policy.TypeInt, policy.TypePort:
		return fmt.Sprintf("{ type: %s, min: %d, max: %d }", jsLit(r.Type), r.Min, r.Max)
	case policy.TypeEnum:
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			vals[i] = jsLit(v)
		}
		return fmt.Sprintf("{ type: \"enum\", values: [%s] }", strings.Join(vals, ", "))
	case policy.TypeString:
		return fmt.Sprintf("{ type: \"string\", minLength: %d }", r.MinLength)
	}
	return fmt.Sprintf("{ type: %s }", jsLit(r.Type))
}

// Python renders config.py: a pydantic settings class of the app's environment (pydantic v2
// with pydantic-settings, as the policy shows, or pydantic v1's BaseSettings where that is what
// is installed) and load_settings(), which exits naming each missing or invalid variable,
// never its value.
func Python(a App) string {
	var b strings.Builder
	b.WriteString(header(a, "#"))
	fmt.Fprintf(&b, `"""The app's environment, validated at startup: a missing or invalid value stops the process."""
import os
import re
import sys

try:  # pydantic v2 with pydantic-settings
    from pydantic import Field
    from pydantic_settings import BaseSettings

    _PYDANTIC_V2 = True
except ImportError:  # pydantic v1
    from pydantic import BaseSettings, Field

    _PYDANTIC_V2 = False

_URL_PATTERN = re.compile(%s)
_INT_PATTERN = re.compile(%s)


class Settings(BaseSettings):
    """The app's environment. Build it with load_settings(), which checks every rule first."""

`, pyLit(policy.URLPattern), pyLit(policy.IntPattern))
	for _, v := range a.Vars {
		typ, def := "str", pyLit(v.Default)
		switch v.Rule.Type {
		case policy.TypeInt, policy.TypePort:
			typ, def = "int", v.Default
		case policy.TypeBool:
			typ, def = "bool", "False"
			if v.Default == "true" {
				def = "True"
			}
		}
		if v.Secret {
			fmt.Fprintf(&b, "    %s: %s = Field(...)\n", v.Name, typ)
		} else {
			fmt.Fprintf(&b, "    %s: %s = Field(%s, description=%s)\n", v.Name, typ, def, pyLit("safe-default: "+v.Reason))
		}
	}
	b.WriteString(`
    if _PYDANTIC_V2:
        model_config = {"case_sensitive": True, "extra": "ignore"}
    else:

        class Config:
            case_sensitive = True


# (name, rule, default or None for a secret, message): the declaration, checked by _broken.
_VARIABLES = [
`)
	for _, v := range a.Vars {
		def := "None"
		if !v.Secret {
			def = pyLit(v.Default)
		}
		fmt.Fprintf(&b, "    (%s, %s, %s, %s),\n", pyLit(v.Name), pyRule(v.Rule), def, pyLit(message(v)))
	}
	b.WriteString(`]


def _broken(rule, s):
    """Whether a raw value breaks its rule; the same checks as env.ts and config.go."""
    kind = rule["type"]
    if kind in ("int", "port"):
        return not _INT_PATTERN.fullmatch(s) or not rule["min"] <= int(s) <= rule["max"]
    if kind == "bool":
        return s not in ("true", "false")
    if kind == "url":
        return not _URL_PATTERN.fullmatch(s)
    if kind == "enum":
        return s not in rule["values"]
    return len(s) < rule["min_length"]


def _convert(rule, s):
    if rule["type"] in ("int", "port"):
        return int(s)
    if rule["type"] == "bool":
        return s == "true"
    return s


def load_settings() -> Settings:
    """Settings from the environment; exits with each invalid variable's name and rule, never its value."""
    errors = []
    values = {}
    for name, rule, default, message in _VARIABLES:
        raw = os.environ.get(name, default)
        if raw is None:
            errors.append(name + " is required")
        elif _broken(rule, raw):
            errors.append(message)
        else:
            values[name] = _convert(rule, raw)
    for error in errors:
        print("invalid environment: " + error, file=sys.stderr)
    if errors:
        sys.exit(1)
    return Settings(**values)
`)
	return b.String()
}

func pyRule(r policy.Rule) string {
	switch r.Type {
	case policy.TypeInt, policy.TypePort:
		return fmt.Sprintf("{\"type\": %s, \"min\": %d, \"max\": %d}", pyLit(r.Type), r.Min, r.Max)
	case policy.TypeEnum:
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			vals[i] = pyLit(v)
		}
		return fmt.Sprintf("{\"type\": \"enum\", \"values\": [%s]}", strings.Join(vals, ", "))
	case policy.TypeString:
		return fmt.Sprintf("{\"type\": \"string\", \"min_length\": %d}", r.MinLength)
	}
	return fmt.Sprintf("{\"type\": %s}", pyLit(r.Type))
}

// Go renders config.go: a struct of the app's environment read with
// github.com/kelseyhightower/envconfig after every rule is checked on the raw values, Load(),
// which returns an error naming each missing or invalid variable, never its value, and
// MustLoad, which exits with it. Field names are the env names, so no two can collide.
func Go(a App) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// Code generated by terraform-provider-mosaic for %s in %s (%s). DO NOT EDIT.\n\n", a.Service, a.Environment, a.Access)
	b.WriteString(`// Package config is the app's environment, validated at startup.
package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/kelseyhightower/envconfig"
)

// Config is the app's environment. Build it with Load, which checks every rule first.
type Config struct {
`)
	for _, v := range a.Vars {
		typ := "string"
		switch v.Rule.Type {
		case policy.TypeInt, policy.TypePort:
			typ = "int64"
		case policy.TypeBool:
			typ = "bool"
		}
		tag := [][2]string{{"envconfig", v.Name}}
		if v.Secret {
			tag = append(tag, [2]string{"required", "true"})
		} else {
			tag = append(tag, [2]string{"default", v.Default}, [2]string{"desc", "safe-default: " + v.Reason})
		}
		fmt.Fprintf(&b, "\t%s %s `%s`\n", v.Name, typ, goTag(tag...))
	}
	fmt.Fprintf(&b, `}

type rule struct {
	kind      string
	minLength int
	min, max  int64
	values    []string
}

type variable struct {
	name       string
	rule       rule
	hasDefault bool
	def        string
	message    string
}

var (
	urlPattern = regexp.MustCompile(%s)
	intPattern = regexp.MustCompile(%s)
)

// variables is the declaration, checked by broken.
var variables = []variable{
`, goLit(policy.URLPattern), goLit(policy.IntPattern))
	for _, v := range a.Vars {
		fmt.Fprintf(&b, "\t{name: %s, rule: %s, hasDefault: %t, def: %s, message: %s},\n", goLit(v.Name), goRule(v.Rule), !v.Secret, goLit(v.Default), goLit(message(v)))
	}
	b.WriteString(`}

// broken reports whether a raw value breaks its rule; the same checks as env.ts and config.py.
func (r rule) broken(s string) bool {
	switch r.kind {
	case "int", "port":
		n, err := strconv.ParseInt(s, 10, 64)
		return !intPattern.MatchString(s) || err != nil || n < r.min || n > r.max
	case "bool":
		return s != "true" && s != "false"
	case "url":
		return !urlPattern.MatchString(s)
	case "enum":
		return !slices.Contains(r.values, s)
	}
	return utf8.RuneCountInString(s) < r.minLength
}

// Load reads and checks the environment. Its error names each missing or invalid variable and
// the rule it breaks, never a value.
func Load() (*Config, error) {
	var errs []error
	for _, v := range variables {
		s, ok := os.LookupEnv(v.name)
		switch {
		case !ok && !v.hasDefault:
			errs = append(errs, errors.New(v.name+" is required"))
			continue
		case !ok:
			s = v.def
		}
		if v.rule.broken(s) {
			errs = append(errs, errors.New(v.message))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var c Config
	if err := envconfig.Process("", &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// MustLoad is Load that stops the process with the error.
func MustLoad() *Config {
	c, err := Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid environment:", err)
		os.Exit(1)
	}
	return c
}
`)
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return b.String() // the names are checked before rendering; this keeps the text inspectable
	}
	return string(src)
}

func goRule(r policy.Rule) string {
	switch r.Type {
	case policy.TypeInt, policy.TypePort:
		return fmt.Sprintf("rule{kind: %s, min: %d, max: %d}", goLit(r.Type), r.Min, r.Max)
	case policy.TypeEnum:
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			vals[i] = goLit(v)
		}
		return fmt.Sprintf("rule{kind: \"enum\", values: []string{%s}}", strings.Join(vals, ", "))
	case policy.TypeString:
		return "rule{kind: \"string\", minLength: " + strconv.Itoa(r.MinLength) + "}"
	}
	return fmt.Sprintf("rule{kind: %s}", goLit(r.Type))
}
