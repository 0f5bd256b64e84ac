package main

import (
	"fmt"

	"github.com/hashicorp/vault/api"
)

func main() {
	password := "hunter2hunter"
	c, _ := api.NewClient(nil)
	fmt.Println(c, password)
}
