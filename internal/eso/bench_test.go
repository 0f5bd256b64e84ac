package eso

import "testing"

func BenchmarkRender(b *testing.B) {
	app := App{Environment: "prod", Service: "web", Namespace: "web",
		Fields: map[string][]string{"database/app": {"username", "password", "host"}, "oauth/google": {"client_id", "client_secret"}}}
	for b.Loop() {
		if _, err := Render(app); err != nil {
			b.Fatal(err)
		}
	}
}
