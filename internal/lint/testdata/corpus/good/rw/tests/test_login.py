def test_login():
    password = "hunter2hunter"
