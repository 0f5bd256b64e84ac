// Package acctest is the test bed: a real Vault server in dev mode per test binary, started on a
// free loopback port with a random root token, and the provider served in process for
// terraform-plugin-testing.
package acctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Server is a running Vault dev server.
type Server struct {
	Addr      string
	Token     string
	Client    *api.Client
	AuditFile string

	cmd  *exec.Cmd
	dir  string
	out  *bytes.Buffer
	once sync.Once
}

// VaultBinary finds the Vault binary: MOSAIC_VAULT_BIN (set by the GNUmakefile from
// scripts/vault-bin.sh), else a `vault` on PATH. It never downloads anything.
func VaultBinary() (string, error) {
	if p := os.Getenv("MOSAIC_VAULT_BIN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("MOSAIC_VAULT_BIN=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("vault"); err == nil {
		return p, nil
	}
	return "", errors.New("no Vault binary: run the tests with `make test` (it builds one with scripts/vault-bin.sh), or set MOSAIC_VAULT_BIN=/path/to/vault")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartVault starts `vault server -dev` on a free 127.0.0.1 port with a random root token and
// a file audit device, and waits until it is healthy. The process dies with the test binary
// (PR_SET_PDEATHSIG), so a panicking test leaves no Vault behind; Stop ends it at once.
func StartVault() (*Server, error) {
	bin, err := VaultBinary()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startVault(bin)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startVault(bin string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "mosaic-vault-")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Addr:      fmt.Sprintf("http://127.0.0.1:%d", port),
		Token:     "root-" + randomHex(12),
		AuditFile: filepath.Join(dir, "audit.log"),
		dir:       dir,
		out:       &bytes.Buffer{},
	}
	s.cmd = exec.Command(bin, "server", "-dev",
		"-dev-root-token-id="+s.Token,
		fmt.Sprintf("-dev-listen-address=127.0.0.1:%d", port),
		"-dev-no-store-token")
	s.cmd.Env = append(os.Environ(), "HOME="+dir, "VAULT_DISABLE_MLOCK=true", "VAULT_LOG_LEVEL=warn")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(exited) }()

	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.Addr + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("vault server exited before it was healthy:\n%s", s.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("vault server not healthy after 30s:\n%s", s.out.String())
		}
	}
	conf := api.DefaultConfig()
	conf.Address = s.Addr
	c, err := api.NewClient(conf)
	if err != nil {
		s.Stop()
		return nil, err
	}
	c.SetToken(s.Token)
	s.Client = c
	if err := c.Sys().EnableAuditWithOptions("file", &api.EnableAuditOptions{
		Type: "file", Options: map[string]string{"file_path": s.AuditFile},
	}); err != nil {
		s.Stop()
		return nil, fmt.Errorf("enabling the file audit device: %w", err)
	}
	return s, nil
}

// Stop ends the server and removes its folder. Safe to call more than once.
// CPUTime is the CPU time (user and system) the server has used so far, from /proc (Linux).
func (s *Server) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name (which may hold spaces) end in ')'; utime and stime
	// are the 14th and 15th fields, in clock ticks (100 per second on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat: %q", b)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

func (s *Server) Stop() {
	s.once.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			_ = s.cmd.Process.Kill()
		}
		os.RemoveAll(s.dir)
	})
}

// SetupPlatform creates what most app tests rely on, directly through the API: the three
// environment mounts as KV v2 and the AppRole auth method. (The platform tests start from an
// empty Vault of their own.)
func (s *Server) SetupPlatform(ctx context.Context) error {
	for _, env := range []string{"dev", "staging", "prod"} {
		err := s.Client.Sys().MountWithContext(ctx, policy.MountOf(env), &api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}})
		if err != nil {
			return fmt.Errorf("mounting secret-%s: %w", env, err)
		}
	}
	if err := s.Client.Sys().EnableAuthWithOptionsWithContext(ctx, policy.DefaultAppRoleMount, &api.EnableAuthOptions{Type: "approle"}); err != nil {
		return fmt.Errorf("enabling approle: %w", err)
	}
	return nil
}

// Main is TestMain for packages with acceptance tests: with TF_ACC set it starts one Vault for
// the test binary, exports VAULT_ADDR and VAULT_TOKEN, runs the tests and always stops Vault.
// Under CI (CI=true) a missing TF_ACC is an error: acceptance tests are never silently skipped.
func Main(m *testing.M, setup func(*Server) error) {
	os.Exit(run(m, setup))
}

var shared *Server

// OwnVault starts a Vault dev server for one test (stopped when it ends), for tests that need
// an empty Vault; skipped without TF_ACC like every acceptance test.
func OwnVault(t testing.TB) *Server {
	t.Helper()
	skipWithoutAcc(t)
	v, err := StartVault()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Stop)
	return v
}

// Vault is the test binary's Vault server. Without TF_ACC the test is skipped, as
// terraform-plugin-testing skips acceptance tests (`make test` sets TF_ACC and fails on a skip).
func Vault(t testing.TB) *Server {
	t.Helper()
	if shared == nil {
		skipWithoutAcc(t)
		t.Fatal("no Vault server although TF_ACC is set")
	}
	return shared
}

// skipWithoutAcc skips an acceptance test when TF_ACC is not set.
func skipWithoutAcc(t testing.TB) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 and run it against a real Vault (`make test` does)")
	}
}

func run(m *testing.M, setup func(*Server) error) int {
	if os.Getenv("TF_ACC") == "" {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "acctest: CI is set but TF_ACC is not: acceptance tests would be skipped. Run `make test`.")
			return 1
		}
		return m.Run()
	}
	if err := CheckTerraform(); err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	s, err := StartVault()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer s.Stop()
	shared = s
	if setup != nil {
		if err := setup(s); err != nil {
			fmt.Fprintln(os.Stderr, "acctest: setup:", err)
			return 1
		}
	}
	os.Setenv("VAULT_ADDR", s.Addr)
	os.Setenv("VAULT_TOKEN", s.Token)
	return m.Run()
}
