package acctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Cluster is a Vault HA cluster of real `vault server` processes with integrated storage
// (Raft) on loopback: initialised and unsealed with one key, the other nodes joined with
// retry_join. Tests kill and restart nodes to force leader elections.
type Cluster struct {
	Nodes     []*Node
	Token     string
	unsealKey string
	bin, dir  string
}

// Node is one server of a Cluster.
type Node struct {
	ID, Addr, ClusterAddr string
	config                string
	mu                    sync.Mutex
	cmd                   *exec.Cmd
	out                   *bytes.Buffer
}

// StartCluster starts an n-node Raft cluster (skipped without TF_ACC), with the KV v2
// environment mounts and the AppRole auth method, and stops it when the test ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	skipWithoutAcc(t)
	bin, err := VaultBinary()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{bin: bin, dir: t.TempDir()}
	t.Cleanup(c.Stop)
	for i := range n {
		api, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		cl, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		c.Nodes = append(c.Nodes, &Node{ID: fmt.Sprintf("node%d", i+1), Addr: fmt.Sprintf("http://127.0.0.1:%d", api), ClusterAddr: fmt.Sprintf("127.0.0.1:%d", cl)})
	}
	for _, nd := range c.Nodes {
		var join strings.Builder
		for _, other := range c.Nodes {
			if other != nd {
				fmt.Fprintf(&join, "  retry_join {\n    leader_api_addr = %q\n  }\n", other.Addr)
			}
		}
		data := filepath.Join(c.dir, nd.ID)
		if err := os.MkdirAll(data, 0o700); err != nil {
			t.Fatal(err)
		}
		nd.config = filepath.Join(c.dir, nd.ID+".hcl")
		cfg := fmt.Sprintf(`storage "raft" {
  path    = %q
  node_id = %q
%s}
listener "tcp" {
  address         = %q
  cluster_address = %q
  tls_disable     = true
}
api_addr      = %q
cluster_addr  = "https://%s"
disable_mlock = true
`, data, nd.ID, join.String(), strings.TrimPrefix(nd.Addr, "http://"), nd.ClusterAddr, nd.Addr, nd.ClusterAddr)
		if err := os.WriteFile(nd.config, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The first node: start, initialise, unseal, wait until it is active.
	first := c.Nodes[0]
	if err := c.start(first); err != nil {
		t.Fatal(err)
	}
	init, err := c.client(first).Sys().Init(&api.InitRequest{SecretShares: 1, SecretThreshold: 1})
	if err != nil {
		t.Fatalf("initialising %s: %v\n%s", first.ID, err, first.output())
	}
	c.Token, c.unsealKey = init.RootToken, init.Keys[0]
	if err := c.unseal(first, "active"); err != nil {
		t.Fatal(err)
	}
	for _, nd := range c.Nodes[1:] {
		if err := c.start(nd); err != nil {
			t.Fatal(err)
		}
		if err := c.unseal(nd, "standby"); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.waitPeers(len(c.Nodes)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	leader := c.client(c.Leader(t))
	for _, env := range policy.Environments {
		if err := leader.Sys().MountWithContext(ctx, policy.MountOf(env), &api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := leader.Sys().EnableAuthWithOptionsWithContext(ctx, "approle", &api.EnableAuthOptions{Type: "approle"}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *Cluster) start(nd *Node) error {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	nd.out = &bytes.Buffer{}
	nd.cmd = exec.Command(c.bin, "server", "-config="+nd.config)
	nd.cmd.Env = append(os.Environ(), "VAULT_LOG_LEVEL=warn", "HOME="+c.dir)
	nd.cmd.Stdout, nd.cmd.Stderr = nd.out, nd.out
	nd.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := nd.cmd.Start(); err != nil {
		return err
	}
	go func() { _ = nd.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(nd.Addr + "/v1/sys/health"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not listen within 30s:\n%s", nd.ID, nd.out.String())
}

// unseal unseals nd and waits until its health says want ("active" or "standby").
func (c *Cluster) unseal(nd *Node, want string) error {
	deadline := time.Now().Add(60 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		st, err := c.client(nd).Sys().Unseal(c.unsealKey)
		if err == nil && !st.Sealed {
			if h := c.health(nd); h == want || (want == "standby" && h == "active") {
				return nil
			}
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s not %s after 60s (%w):\n%s", nd.ID, want, last, nd.output())
}

// health is "active", "standby", "sealed", "uninitialized" or "down".
func (c *Cluster) health(nd *Node) string {
	resp, err := http.Get(nd.Addr + "/v1/sys/health")
	if err != nil {
		return "down"
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return "active"
	case http.StatusTooManyRequests, 473: // 473: a performance standby
		return "standby"
	case http.StatusNotImplemented:
		return "uninitialized"
	case http.StatusServiceUnavailable:
		return "sealed"
	}
	return "down"
}

func (c *Cluster) waitPeers(n int) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, nd := range c.Nodes {
			if c.health(nd) != "active" {
				continue
			}
			s, err := c.client(nd).Logical().Read("sys/storage/raft/configuration")
			if err == nil && s != nil {
				if cfg, ok := s.Data["config"].(map[string]any); ok {
					if servers, ok := cfg["servers"].([]any); ok && len(servers) == n {
						return nil
					}
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("the cluster did not reach its peers within 60s")
}

// Client is an API client with the root token on nd.
func (c *Cluster) Client(nd *Node) *api.Client { return c.client(nd) }

func (c *Cluster) client(nd *Node) *api.Client {
	conf := api.DefaultConfig()
	conf.Address = nd.Addr
	conf.MaxRetries = 0
	cl, _ := api.NewClient(conf)
	cl.SetToken(c.Token)
	return cl
}

// Leader is the active node, waiting up to 60s for one.
func (c *Cluster) Leader(t testing.TB) *Node {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, nd := range c.Nodes {
			if c.health(nd) == "active" {
				return nd
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no active node within 60s")
	return nil
}

// Standby is a node that is up and not the leader.
func (c *Cluster) Standby(t testing.TB) *Node {
	t.Helper()
	leader := c.Leader(t)
	for _, nd := range c.Nodes {
		if nd != leader && c.health(nd) == "standby" {
			return nd
		}
	}
	t.Fatal("no standby node")
	return nil
}

// Kill ends nd at once (SIGKILL): no step-down, as a crash.
func (c *Cluster) Kill(nd *Node) {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	if nd.cmd != nil && nd.cmd.Process != nil {
		_ = syscall.Kill(-nd.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// Restart starts a killed node again and unseals it; it rejoins as a follower.
func (c *Cluster) Restart(nd *Node) error {
	if err := c.start(nd); err != nil {
		return err
	}
	return c.unseal(nd, "standby")
}

// Stop ends every node.
func (c *Cluster) Stop() {
	for _, nd := range c.Nodes {
		c.Kill(nd)
	}
}

func (nd *Node) output() string {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	if nd.out == nil {
		return ""
	}
	return nd.out.String()
}
