SECRET_KEY_BASE = ENV.fetch("SECRET_KEY_BASE", "rails-dev-base")
