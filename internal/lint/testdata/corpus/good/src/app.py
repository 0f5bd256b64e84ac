import os

DB_PASSWORD = os.environ["DB_PASSWORD"]
API_KEY = os.getenv("API_KEY")
password_field = "password"
SECRET_NAME = "web-secrets"
TOKEN_HEADER = "Authorization"


def login(password: str) -> bool:
    return len(password) >= 12
