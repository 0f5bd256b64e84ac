package acctest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
)

// KVData returns the current data at mount/rel, or nil when there is none (missing or deleted).
func (s *Server) KVData(t testing.TB, mount, rel string) map[string]any {
	t.Helper()
	sec, err := s.Client.Logical().Read(mount + "/data/" + rel)
	if err != nil {
		t.Fatalf("reading %s/%s: %v", mount, rel, err)
	}
	if sec == nil || sec.Data == nil || sec.Data["data"] == nil {
		return nil
	}
	return sec.Data["data"].(map[string]any)
}

// KVMetadata returns the metadata at mount/rel, or nil when the path has none.
func (s *Server) KVMetadata(t testing.TB, mount, rel string) map[string]any {
	t.Helper()
	sec, err := s.Client.Logical().Read(mount + "/metadata/" + rel)
	if err != nil {
		t.Fatalf("reading metadata %s/%s: %v", mount, rel, err)
	}
	if sec == nil {
		return nil
	}
	return sec.Data
}

// Policy returns the text of an ACL policy ("" when missing).
func (s *Server) Policy(t testing.TB, name string) string {
	t.Helper()
	text, err := s.Client.Sys().GetPolicy(name)
	if err != nil {
		t.Fatalf("reading policy %s: %v", name, err)
	}
	return text
}

// Role returns an AppRole role's settings, or nil.
func (s *Server) Role(t testing.TB, mount, role string) map[string]any {
	t.Helper()
	sec, err := s.Client.Logical().Read("auth/" + mount + "/role/" + role)
	if err != nil {
		t.Fatalf("reading role %s: %v", role, err)
	}
	if sec == nil {
		return nil
	}
	return sec.Data
}

// Login logs in with an AppRole and returns a client holding the resulting token.
func (s *Server) Login(mount, roleID, secretID string) (*api.Client, error) {
	c, err := s.Client.Clone()
	if err != nil {
		return nil, err
	}
	c.ClearToken()
	sec, err := c.Logical().Write("auth/"+mount+"/login", map[string]any{"role_id": roleID, "secret_id": secretID})
	if err != nil {
		return nil, err
	}
	if sec == nil || sec.Auth == nil {
		return nil, fmt.Errorf("login returned no token")
	}
	c.SetToken(sec.Auth.ClientToken)
	return c, nil
}

// CanRead reports whether c may read p; any error other than 403 fails the test.
func CanRead(t testing.TB, c *api.Client, p string) bool {
	t.Helper()
	_, err := c.Logical().ReadWithContext(context.Background(), p)
	if err == nil {
		return true
	}
	if strings.Contains(err.Error(), "permission denied") || strings.Contains(err.Error(), "Code: 403") {
		return false
	}
	t.Fatalf("reading %s: unexpected error %v", p, err)
	return false
}

// Write writes raw data through the API (outside Terraform, for drift tests).
func (s *Server) Write(t testing.TB, p string, data map[string]any) {
	t.Helper()
	if _, err := s.Client.Logical().Write(p, data); err != nil {
		t.Fatalf("writing %s: %v", p, err)
	}
}

// Delete deletes through the API (outside Terraform, for drift tests).
func (s *Server) Delete(t testing.TB, p string) {
	t.Helper()
	if _, err := s.Client.Logical().Delete(p); err != nil {
		t.Fatalf("deleting %s: %v", p, err)
	}
}

// AuditOffset is where the audit log ends now; pass it to WritesSince.
func (s *Server) AuditOffset(t testing.TB) int64 {
	t.Helper()
	st, err := os.Stat(s.AuditFile)
	if err != nil {
		t.Fatalf("audit log: %v", err)
	}
	return st.Size()
}

// WritesSince lists every request the audit log recorded after offset that was not a read or
// a list ("update /secret-dev/data/x"): the proof that something did not write to Vault.
func (s *Server) WritesSince(t testing.TB, offset int64) []string {
	t.Helper()
	reqs, err := AuditRequests(s.AuditFile, offset)
	if err != nil {
		t.Fatal(err)
	}
	var writes []string
	for _, r := range reqs {
		if r.Operation != "read" && r.Operation != "list" {
			writes = append(writes, r.Operation+" "+r.Path)
		}
	}
	return writes
}

// AuditRequest is one request as Vault's file audit device recorded it.
type AuditRequest struct {
	Operation string `json:"operation"` // read, list, create, update, delete
	Path      string `json:"path"`
}

// AuditRequests reads the requests (not the responses) the audit log recorded after offset.
func AuditRequests(file string, offset int64) ([]AuditRequest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	var reqs []AuditRequest
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e struct {
			Type    string       `json:"type"`
			Request AuditRequest `json:"request"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("audit log line: %w", err)
		}
		if e.Type == "request" {
			reqs = append(reqs, e.Request)
		}
	}
	return reqs, sc.Err()
}
