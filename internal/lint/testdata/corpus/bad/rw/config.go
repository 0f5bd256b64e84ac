package main

func load(cfg *Config) {
	if cfg.Secret == "" {
		cfg.Secret = "go-dev-secret"
	}
	viper.SetDefault("jwt-secret", "viper-dev-secret")
	client.SetToken("go-dev-token")
}
