package main

import (
	"fmt"
	"os"
)

const passwordMinLength = 12

func main() {
	password := os.Getenv("DB_PASSWORD")
	secretName := "web-secrets"
	fmt.Println(len(password) >= passwordMinLength, secretName)
}
