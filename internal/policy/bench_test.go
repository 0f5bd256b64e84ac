package policy

import (
	"fmt"
	"testing"
)

// The rules run at every plan for every app; these keep them far below the cost of one Vault
// request (make bench runs them).

func BenchmarkValidateService(b *testing.B) {
	for b.Loop() {
		if err := ValidateService("backend-api"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateServiceRejected(b *testing.B) {
	for b.Loop() {
		if err := ValidateService("Backend_API"); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkParseKey(b *testing.B) {
	for b.Loop() {
		if _, _, err := ParseKey("database/app"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCredentialLike(b *testing.B) {
	for b.Loop() {
		_ = CredentialLike("payments-gateway")
	}
}

func BenchmarkParsePath(b *testing.B) {
	for b.Loop() {
		if _, err := ParsePath("secret-prod/backend-api/database/app"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMigrate(b *testing.B) {
	for b.Loop() {
		if _, err := Migrate("secret/k3s/backend-api", "prod", "backend-api"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateExtraReadPath(b *testing.B) {
	for b.Loop() {
		if err := ValidateExtraReadPath("prod", "backend-api", "database/creds/backend-api-role"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppPolicy(b *testing.B) {
	extra := []string{"database/creds/backend-api-role"}
	for b.Loop() {
		_ = AppPolicy("prod", "backend-api", extra)
	}
}

func BenchmarkExtraReadPathsOf(b *testing.B) {
	text := AppPolicy("prod", "backend-api", []string{"database/creds/backend-api-role"})
	for b.Loop() {
		_ = ExtraReadPathsOf("prod", "backend-api", text)
	}
}

func BenchmarkCIWriterPolicy(b *testing.B) {
	services := map[string][]string{}
	for i := range 200 {
		svc := fmt.Sprintf("service-%d", i)
		services[svc] = []string{"database/creds/" + svc + "-role"}
	}
	for b.Loop() {
		_ = CIWriterPolicy("prod", "approle", services)
	}
}
