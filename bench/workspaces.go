package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// Several workspaces applying at once against one Vault: k states of n apps each (distinct
// services), created concurrently and then destroyed concurrently, as separate Terraform runs
// (HCP Terraform or TFE agents, Atlantis) would. It measures the wall time, the requests per
// second Vault served, errors, and Vault's CPU time.

type workspacesResult struct {
	Workspaces, Apps        int
	Create, Destroy         time.Duration // wall time until the last workspace finished
	CreateEach              []time.Duration
	Errors                  int
	VaultCPU                time.Duration // during the concurrent create
	CreateRequests, DelReqs int
}

func measureWorkspaces(work string, env []string, v *acctest.Server, k, n, parallelism int) (workspacesResult, error) {
	res := workspacesResult{Workspaces: k, Apps: n}
	bs := make([]*bencher, k)
	for i := range bs {
		dir := filepath.Join(work, fmt.Sprintf("ws%d", i))
		bs[i] = &bencher{dir: dir, env: env, audit: v.AuditFile, parallelism: parallelism, n: n, prefix: fmt.Sprintf("ws%d-", i)}
		if err := mkdir(dir); err != nil {
			return res, err
		}
	}
	all := func(name string, args []string) (time.Duration, []time.Duration, []string, int, time.Duration, error) {
		start, err := fileSize(v.AuditFile)
		if err != nil {
			return 0, nil, nil, 0, 0, err
		}
		cpu0, _ := v.CPUTime()
		each := make([]time.Duration, k)
		errs := make([]string, k)
		var wg sync.WaitGroup
		t0 := time.Now()
		for i, b := range bs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, err := b.measure(name, 1, args, 0)
				each[i] = o.Wall
				if err != nil {
					errs[i] = tail(err.Error(), 5)
				}
			}()
		}
		wg.Wait()
		wall := time.Since(t0)
		cpu1, _ := v.CPUTime()
		reqs, err := acctest.AuditRequests(v.AuditFile, start)
		if err != nil {
			return 0, nil, nil, 0, 0, err
		}
		return wall, each, errs, len(reqs), cpu1 - cpu0, nil
	}
	wall, each, errs, reqs, cpu, err := all("create", []string{"apply", "-auto-approve"})
	if err != nil {
		return res, err
	}
	res.Create, res.CreateEach, res.CreateRequests, res.VaultCPU = wall, each, reqs, cpu
	for _, e := range errs {
		if e != "" {
			res.Errors++
			fmt.Println("workspace error:", e)
		}
	}
	wall, _, errs, reqs, _, err = all("destroy", []string{"destroy", "-auto-approve"})
	if err != nil {
		return res, err
	}
	res.Destroy, res.DelReqs = wall, reqs
	for _, e := range errs {
		if e != "" {
			res.Errors++
			fmt.Println("workspace error:", e)
		}
	}
	fmt.Printf("%d workspaces of %d apps at once: create %.1fs (%.0f requests/s, Vault CPU %.1fs), destroy %.1fs, %d errors\n",
		k, n, res.Create.Seconds(), float64(res.CreateRequests)/res.Create.Seconds(), res.VaultCPU.Seconds(), res.Destroy.Seconds(), res.Errors)
	return res, nil
}

func renderWorkspaces(sb *strings.Builder, r *workspacesResult) {
	if r == nil {
		return
	}
	sb.WriteString("\n## Workspaces applying at once\n\n")
	fmt.Fprintf(sb, "%d workspaces (separate states and Terraform runs, distinct services) of %d apps each, created at once and then destroyed at once "+
		"against the one Vault, each at the same -parallelism. Requests per second are every request the audit log recorded over the wall time; "+
		"Vault CPU is the server process's CPU time during the creates.\n\n", r.Workspaces, r.Apps)
	sb.WriteString("| workspaces x apps | create (all) | slowest / fastest workspace | requests | requests/s | Vault CPU | destroy (all) | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	lo, hi := r.CreateEach[0], r.CreateEach[0]
	for _, d := range r.CreateEach {
		lo, hi = min(lo, d), max(hi, d)
	}
	fmt.Fprintf(sb, "| %d x %d | %.1f s | %.1f s / %.1f s | %d | %.0f | %.1f s | %.1f s | %d |\n", r.Workspaces, r.Apps, r.Create.Seconds(), hi.Seconds(), lo.Seconds(),
		r.CreateRequests, float64(r.CreateRequests)/r.Create.Seconds(), r.VaultCPU.Seconds(), r.Destroy.Seconds(), r.Errors)
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }
