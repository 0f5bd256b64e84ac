// Command terraform-provider-mosaic serves the mosaic Terraform provider.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/provider"
)

// Set by goreleaser's ldflags: -X main.version=... -X main.commit=...
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietUnlessLogged(debug)
	collectLessOften()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/mosaicstack/mosaic", provider.NewServer(version), opts...)
	if err != nil {
		log.Fatalf("terraform-provider-mosaic %s (%s): %v", version, commit, err)
	}
}

// gcPercent is the provider's garbage collection target: the heap may grow to five times what
// is live before a collection. The provider's live heap is a few MB (it keeps nothing per app
// between requests) while it allocates about 3 MB per planned app, so with Go's default of 100
// it collected about 800 times in a 1,000-app plan. With 400: about 160 collections, 40% less
// provider CPU (9.4 to 5.7 s) and a 20% shorter plan, for a Go heap of about 50 MB instead of
// 23 MB (docs/guides/performance.md).
const gcPercent = 400

// memoryLimit bounds what gcPercent lets the heap grow to when much is live: a mosaic_platform
// of 5,000 services holds about 90 MB during its plan, which gcPercent alone let grow to a peak
// RSS of 446 MiB. Below it (every mosaic_app_secrets plan) it never binds.
const memoryLimit = 256 << 20

// collectLessOften sets gcPercent and memoryLimit, unless GOGC or GOMEMLIMIT say otherwise.
func collectLessOften() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// quietUnlessLogged turns the SDK's and the provider's log lines off when nobody will see them.
// The plugin SDKs log every request at TRACE to stderr by default, and Terraform (and OpenTofu)
// decode each line only to drop it unless TF_LOG or TF_LOG_PROVIDER is set: about 170 KB and
// 360 JSON lines per app in a plan. An explicit TF_LOG_SDK / TF_LOG_PROVIDER_MOSAIC wins.
// The framework's and the protocol's subsystem loggers do not follow TF_LOG_SDK: they are
// turned off with it. The framework logs each attribute it validates or plans, so a
// mosaic_platform of 1,000 services x 3 environments planned in 29-36 s with them and 14-16 s
// without (-refresh=false, measured twice each, the machine under load).
func quietUnlessLogged(debug bool) {
	if debug || os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	vars := []string{"TF_LOG_PROVIDER_MOSAIC"}
	if os.Getenv("TF_LOG_SDK") == "" {
		vars = append(vars, "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO")
	}
	for _, v := range vars {
		if os.Getenv(v) == "" {
			_ = os.Setenv(v, "off")
		}
	}
}
