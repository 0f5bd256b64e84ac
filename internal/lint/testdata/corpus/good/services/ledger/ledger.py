import os

import hvac

client = hvac.Client(url=os.environ["VAULT_ADDR"])
client.auth.approle.login(role_id=os.environ["VAULT_ROLE_ID"], secret_id=os.environ["VAULT_SECRET_ID"])
