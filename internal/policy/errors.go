package policy

import "fmt"

// Violation is a broken rule: what is wrong, and what to write instead.
type Violation struct {
	// Rule names the rule that was broken, e.g. "kebab-case" or "deprecated-path".
	Rule string
	// Msg says what is wrong and where.
	Msg string
	// Suggestion is what to write instead; empty when there is nothing better to offer.
	Suggestion string
}

func (v *Violation) Error() string {
	if v.Suggestion == "" {
		return v.Msg
	}
	return fmt.Sprintf("%s; write %q instead", v.Msg, v.Suggestion)
}

func violation(rule, suggestion, format string, args ...any) *Violation {
	return &Violation{Rule: rule, Msg: fmt.Sprintf(format, args...), Suggestion: suggestion}
}
