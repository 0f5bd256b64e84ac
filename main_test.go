package main

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

func TestCollectLessOften(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	collectLessOften()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != memoryLimit {
		t.Errorf("GOMEMLIMIT unset: memory limit %d, want %d", got, memoryLimit)
	}
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	collectLessOften()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=150: the provider changed the GC percent to %d; GOGC must win", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT=1GiB: the provider changed the memory limit to %d; GOMEMLIMIT must win", got)
	}
}

func TestQuietUnlessLogged(t *testing.T) {
	tests := map[string]struct {
		env         map[string]string
		debug       bool
		sdk, mosaic string
		framework   string // TF_LOG_SDK_FRAMEWORK (and TF_LOG_SDK_PROTO)
	}{
		"nobody reads the logs":  {env: map[string]string{}, sdk: "off", mosaic: "off", framework: "off"},
		"explicit framework":     {env: map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}, sdk: "off", mosaic: "off", framework: "TRACE"},
		"TF_LOG set":             {env: map[string]string{"TF_LOG": "DEBUG"}},
		"TF_LOG_PROVIDER set":    {env: map[string]string{"TF_LOG_PROVIDER": "TRACE"}},
		"debug mode":             {debug: true},
		"explicit TF_LOG_SDK":    {env: map[string]string{"TF_LOG_SDK": "DEBUG"}, sdk: "DEBUG", mosaic: "off"},
		"explicit provider name": {env: map[string]string{"TF_LOG_PROVIDER_MOSAIC": "INFO"}, sdk: "off", mosaic: "INFO", framework: "off"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_PROVIDER_MOSAIC", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"} {
				t.Setenv(v, tc.env[v])
				if tc.env[v] == "" {
					os.Unsetenv(v)
				}
			}
			quietUnlessLogged(tc.debug)
			if got := os.Getenv("TF_LOG_SDK"); got != tc.sdk {
				t.Errorf("TF_LOG_SDK = %q, want %q", got, tc.sdk)
			}
			if got := os.Getenv("TF_LOG_SDK_FRAMEWORK"); got != tc.framework {
				t.Errorf("TF_LOG_SDK_FRAMEWORK = %q, want %q", got, tc.framework)
			}
			if got, want := os.Getenv("TF_LOG_SDK_PROTO"), tc.framework; tc.env["TF_LOG_SDK_FRAMEWORK"] == "" && got != want {
				t.Errorf("TF_LOG_SDK_PROTO = %q, want %q", got, want)
			}
			if got := os.Getenv("TF_LOG_PROVIDER_MOSAIC"); got != tc.mosaic {
				t.Errorf("TF_LOG_PROVIDER_MOSAIC = %q, want %q", got, tc.mosaic)
			}
		})
	}
}
