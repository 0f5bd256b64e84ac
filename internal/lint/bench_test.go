package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// genRepo writes a repository of n files of mixed kinds (compose, manifests, Helm values,
// Python, TypeScript, Go, Terraform, Markdown), 2% of them with a planted finding. It returns
// the number of planted findings.
func genRepo(tb testing.TB, dir string, n int) int {
	tb.Helper()
	kinds := []struct{ name, clean, dirty string }{
		{"docker-compose.yml", "services:\n  web:\n    environment:\n      - DB_PASSWORD=${DB_PASSWORD:?required}\n      - PORT=${PORT:-3000} # safe-default: any port\n", "services:\n  web:\n    environment:\n      - DB_PASSWORD=${DB_PASSWORD:-changeme}\n"},
		{"deploy.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  level: info\n  tokenTTL: 1h\n", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\nstringData:\n  password: hunter2hunter\n"},
		{"values.yaml", "image:\n  tag: 1.2.3\nexistingSecret: web\n", "apiKey: \"sk-live-abc123\"\n"},
		{"app.py", "import os\n\nPASSWORD = os.environ[\"PASSWORD\"]\n\ndef f(x):\n    return x * 2\n", "import hvac\n"},
		{"server.ts", "const token = process.env.API_TOKEN;\nexport function add(a: number, b: number) { return a + b; }\n", "const apiKey = \"sk-live-abc123\";\n"},
		{"main.go", "package main\n\nimport \"os\"\n\nfunc main() { _ = os.Getenv(\"PASSWORD\") }\n", "package main\n\nfunc main() { password := \"hunter2hunter\"; _ = password }\n"},
		{"main.tf", "resource \"x\" \"y\" {\n  password = var.db_password\n}\n", "resource \"x\" \"y\" {\n  password = \"tf-literal-pw\"\n}\n"},
		{"README.md", "# svc\n\nPasswords are rotated monthly.\n", "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"},
	}
	planted := 0
	for i := range n {
		k := kinds[i%len(kinds)]
		content := k.clean
		if i%50 == 7 { // 2%
			content, planted = k.dirty, planted+1
		}
		sub := filepath.Join(dir, fmt.Sprintf("svc-%03d", i/40))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("%05d-%s", i, k.name)), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(".env\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return planted
}

// peakHeap samples the heap while f runs and returns the highest HeapInuse.
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// BenchmarkLint lints generated repositories of 1,000 and 10,000 files (a file walk and every
// rule, as `mosaic-lint` does) and reports the peak heap: it must not grow with the number of files.
func BenchmarkLint(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		dir := b.TempDir()
		planted := genRepo(b, dir, n)
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				runtime.GC()
				peak = max(peak, peakHeap(func() {
					files, err := Files(dir, nil)
					if err != nil {
						b.Fatal(err)
					}
					found, err := Lint(dir, files, Options{})
					if err != nil {
						b.Fatal(err)
					}
					if len(found.Findings) < planted {
						b.Fatalf("%d findings for %d planted", len(found.Findings), planted)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}
