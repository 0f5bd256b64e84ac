var password = Environment.GetEnvironmentVariable("DB_PASSWORD");
var cs = $"server=db;user=root;password={password}";
