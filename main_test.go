package main

import (
	"os"
	"testing"
)

func TestQuietUnlessLogged(t *testing.T) {
	tests := map[string]struct {
		env         map[string]string
		debug       bool
		sdk, mosaic string
	}{
		"nobody reads the logs":  {env: map[string]string{}, sdk: "off", mosaic: "off"},
		"TF_LOG set":             {env: map[string]string{"TF_LOG": "DEBUG"}},
		"TF_LOG_PROVIDER set":    {env: map[string]string{"TF_LOG_PROVIDER": "TRACE"}},
		"debug mode":             {debug: true},
		"explicit TF_LOG_SDK":    {env: map[string]string{"TF_LOG_SDK": "DEBUG"}, sdk: "DEBUG", mosaic: "off"},
		"explicit provider name": {env: map[string]string{"TF_LOG_PROVIDER_MOSAIC": "INFO"}, sdk: "off", mosaic: "INFO"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_PROVIDER_MOSAIC"} {
				t.Setenv(v, tc.env[v])
				if tc.env[v] == "" {
					os.Unsetenv(v)
				}
			}
			quietUnlessLogged(tc.debug)
			if got := os.Getenv("TF_LOG_SDK"); got != tc.sdk {
				t.Errorf("TF_LOG_SDK = %q, want %q", got, tc.sdk)
			}
			if got := os.Getenv("TF_LOG_PROVIDER_MOSAIC"); got != tc.mosaic {
				t.Errorf("TF_LOG_PROVIDER_MOSAIC = %q, want %q", got, tc.mosaic)
			}
		})
	}
}
