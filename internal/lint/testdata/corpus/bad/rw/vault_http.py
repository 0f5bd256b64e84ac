import requests
r = requests.get(f"{addr}/v1/secret/data/app", headers={"X-Vault-Token": tok})
