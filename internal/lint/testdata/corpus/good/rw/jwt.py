SIMPLE_JWT = {
    "JWT_GET_USER_SECRET_KEY": "app.auth.services.get_secret_key",
}
