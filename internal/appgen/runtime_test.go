package appgen

import (
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/apptest"
)

// The generated validators, run by their real consumers (internal/apptest): for each, everything
// set -> exit 0; one variable missing -> non-zero naming it; a 31-character signing key -> non-zero
// naming it; and no value ever in the output.

type runner = apptest.Runner

func needRuntimes(t *testing.T) map[string]string { t.Helper(); return apptest.Runtimes(t) }

func nodeRunner(t *testing.T, nodeModules, envTS string) runner {
	return apptest.Node(t, nodeModules, envTS)
}

func pythonRunner(t *testing.T, python, configPy string) runner {
	return apptest.Python(t, python, configPy)
}

func goRunner(t *testing.T, configGo string) runner { return apptest.Go(t, configGo) }

// goodEnv is a complete environment for the fixture app eso-web; every value is a marker that
// must never appear in the output.
func goodEnv() map[string]string {
	return map[string]string{
		"API_BILLING_TOKEN":     "marker-token-7f3a9c",
		"API_BILLING_URL":       "https://billing.internal/marker-url-55e1",
		"DATABASE_APP_PASSWORD": "marker-password-2b8d",
		"DATABASE_APP_USERNAME": "marker-user-91c4",
		"JWT_SECRET":            "marker-signing-key-0123456789abcdef", // 35 characters
	}
}

func TestValidatorsUnderRealRuntimes(t *testing.T) {
	rt := needRuntimes(t)
	app := fixtures(t)["eso-web"]
	runners := map[string]runner{
		"node+zod":           nodeRunner(t, rt["MOSAIC_NODE_MODULES"], TypeScript(app)),
		"python+pydantic-v2": pythonRunner(t, rt["MOSAIC_PYTHON_V2"], Python(app)),
		"python+pydantic-v1": pythonRunner(t, rt["MOSAIC_PYTHON_V1"], Python(app)),
		"go+envconfig":       goRunner(t, Go(app)),
	}
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			markers := goodEnv()
			check := func(what string, env map[string]string, wantOK bool, wantNamed string) {
				t.Helper()
				code, out := run(t, env)
				if wantOK != (code == 0) {
					t.Errorf("%s: exit %d, output:\n%s", what, code, out)
				}
				if wantNamed != "" && !strings.Contains(out, wantNamed) {
					t.Errorf("%s: the output does not name %s:\n%s", what, wantNamed, out)
				}
				for k, v := range markers {
					if strings.Contains(out, v) {
						t.Errorf("%s: the output contains the value of %s:\n%s", what, k, out)
					}
				}
			}
			check("all set", goodEnv(), true, "")
			missing := goodEnv()
			delete(missing, "DATABASE_APP_PASSWORD")
			check("one missing", missing, false, "DATABASE_APP_PASSWORD")
			empty := goodEnv()
			empty["DATABASE_APP_USERNAME"] = ""
			check("one empty", empty, false, "DATABASE_APP_USERNAME")
			short := goodEnv()
			short["JWT_SECRET"] = "marker-31-characters-0123456789"[:31]
			markers["SHORT_KEY"] = short["JWT_SECRET"]
			check("31-character signing key", short, false, "JWT_SECRET")
			badURL := goodEnv()
			badURL["API_BILLING_URL"] = "marker-not-a-url"
			markers["BAD_URL"] = badURL["API_BILLING_URL"]
			check("not a URL", badURL, false, "API_BILLING_URL")
			badPort := goodEnv()
			badPort["PORT"] = "not-a-port"
			check("PORT not a port", badPort, false, "PORT must be an integer from 1 to 65535")
			opaque := goodEnv()
			opaque["API_BILLING_URL"] = "vault:8200"
			check("URL without //", opaque, false, "API_BILLING_URL")
			// The policy's example: PORT a number with a safe default, loaded as a number.
			dump := goodEnv()
			dump["MOSAIC_DUMP_NAMES"] = "PORT,LOG_JSON,NODE_ENV,BILLING_ENDPOINT,CACHE_ADDR"
			code, out := run(t, dump)
			got := dumped(t, out)
			want := map[string]any{"PORT": 3000.0, "LOG_JSON": true, "NODE_ENV": "production", "BILLING_ENDPOINT": "https://api.stripe.com/v1", "CACHE_ADDR": "cache:6379"}
			for k, v := range want {
				if code != 0 || got[k] != v {
					t.Errorf("defaults: %s loaded as %#v, want %#v (exit %d)", k, got[k], v, code)
				}
			}
		})
	}
}
