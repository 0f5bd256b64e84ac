import os
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "django-insecure-x1")
DB_PASSWORD = os.getenv("DB_PASSWORD", "pg-dev-pw")
app.config["SECRET_KEY"] = "flask-dev-key"
