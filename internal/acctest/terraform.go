package acctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// MinTerraform is the oldest Terraform CLI with write-only attributes (1.11); provider
// functions need 1.8.
const MinTerraform = "1.11.0"

// CheckTerraform finds the Terraform CLI the way terraform-plugin-testing does
// (TF_ACC_TERRAFORM_PATH, else `terraform` on PATH) and checks its version, so that a missing
// or old CLI is one clear error instead of a failed download attempt.
func CheckTerraform() error {
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		p, err := exec.LookPath("terraform")
		if err != nil {
			return errors.New("no Terraform CLI: install Terraform >= " + MinTerraform + " on PATH or set TF_ACC_TERRAFORM_PATH (downloads are not possible here)")
		}
		bin = p
		os.Setenv("TF_ACC_TERRAFORM_PATH", p)
	}
	out, err := exec.Command(bin, "version", "-json").Output()
	if err != nil {
		return fmt.Errorf("%s version: %w", bin, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return fmt.Errorf("%s version -json: %w", bin, err)
	}
	if !versionAtLeast(v.Version, MinTerraform) {
		return fmt.Errorf("%s is Terraform %s; write-only attributes need >= %s", bin, v.Version, MinTerraform)
	}
	return nil
}

func versionAtLeast(have, want string) bool {
	h, w := strings.Split(strings.SplitN(have, "-", 2)[0], "."), strings.Split(want, ".")
	for i := range w {
		hv, wv := 0, 0
		if i < len(h) {
			hv, _ = strconv.Atoi(h[i])
		}
		wv, _ = strconv.Atoi(w[i])
		if hv != wv {
			return hv > wv
		}
	}
	return true
}
