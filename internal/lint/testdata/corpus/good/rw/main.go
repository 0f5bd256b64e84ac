package main

import (
	"cmp"
	"flag"
	"os"
)

var port = cmp.Or(os.Getenv("PORT"), "8080")
var tokenFile = flag.String("token-file", "/var/run/token", "where the token is")
