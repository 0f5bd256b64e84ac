import os

import hvac

DB_PASSWORD = "supersecret123"
API_KEY = os.environ["API_KEY"]
DEMO_TOKEN = "demo-token-123"  # mosaic-lint:ignore hardcoded-secret a public demo token, documented in the README
ADMIN_PASSWORD = "admin-pass-42"  # mosaic-lint:ignore hardcoded-secret

client = hvac.Client(url=os.environ["VAULT_ADDR"])
