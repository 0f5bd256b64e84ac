package acctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer signs JWTs the way a CI platform or a Kubernetes API server does, with a key made for
// the test; Vault's JWT auth method verifies them with PublicPEM (jwt_validation_pubkeys).
type Issuer struct {
	URL    string
	key    *rsa.PrivateKey
	signer jose.Signer
}

// NewIssuer makes an RSA key pair for an issuer named url.
func NewIssuer(t testing.TB, url string) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	return &Issuer{URL: url, key: key, signer: signer}
}

// PublicPEM is the issuer's public key in PEM.
func (i *Issuer) PublicPEM(t testing.TB) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&i.key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// Sign returns a signed JWT with the registered claims (iss, sub, aud, iat, nbf, exp: valid
// for ttl from now, or expired when ttl is negative) and the extra claims.
func (i *Issuer) Sign(t testing.TB, subject string, audience []string, ttl time.Duration, extra map[string]any) string {
	t.Helper()
	now := time.Now()
	registered := jwt.Claims{
		Issuer: i.URL, Subject: subject, Audience: jwt.Audience(audience),
		IssuedAt: jwt.NewNumericDate(now.Add(-time.Minute)), NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		Expiry: jwt.NewNumericDate(now.Add(ttl)),
	}
	if ttl < 0 {
		registered.IssuedAt, registered.NotBefore = jwt.NewNumericDate(now.Add(2*ttl)), jwt.NewNumericDate(now.Add(2*ttl))
	}
	s, err := jwt.Signed(i.signer).Claims(registered).Claims(extra).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// GitHubJob is what a GitHub Actions job's ID token says about it.
type GitHubJob struct {
	Repo, RepoID string // "acme/web", "100200"
	Ref          string // "refs/heads/main"
	Environment  string // the job's deployment environment, if any
	Event        string // push (default), pull_request, pull_request_target, workflow_dispatch...
}

// Subject is the sub GitHub puts in the token: the environment when the job has one, else
// pull_request for pull request events, else the ref.
func (j GitHubJob) Subject() string {
	switch {
	case j.Environment != "":
		return "repo:" + j.Repo + ":environment:" + j.Environment
	case j.Event == "pull_request":
		return "repo:" + j.Repo + ":pull_request"
	}
	return "repo:" + j.Repo + ":ref:" + j.Ref
}

// GitHubToken is an ID token shaped like GitHub Actions' for the job (the claims GitHub
// documents for its OIDC tokens).
func (i *Issuer) GitHubToken(t testing.TB, audience string, j GitHubJob, ttl time.Duration) string {
	t.Helper()
	if j.Event == "" {
		j.Event = "push"
	}
	if j.RepoID == "" {
		j.RepoID = "4242"
	}
	owner, _, _ := strings.Cut(j.Repo, "/")
	claims := map[string]any{
		"repository": j.Repo, "repository_id": j.RepoID, "repository_owner": owner, "repository_owner_id": "77",
		"repository_visibility": "private", "ref": j.Ref, "ref_type": "branch", "event_name": j.Event, "actor": "octocat",
		"workflow": "deploy", "job_workflow_ref": j.Repo + "/.github/workflows/deploy.yml@" + j.Ref, "run_id": "1", "run_attempt": "1",
		"runner_environment": "github-hosted",
	}
	if j.Environment != "" {
		claims["environment"] = j.Environment
	}
	return i.Sign(t, j.Subject(), []string{audience}, ttl, claims)
}

// GitHubActionsToken is an ID token shaped like GitHub Actions' for a push to repo at ref.
func (i *Issuer) GitHubActionsToken(t testing.TB, audience, repo, ref string, ttl time.Duration) string {
	t.Helper()
	return i.GitHubToken(t, audience, GitHubJob{Repo: repo, Ref: ref}, ttl)
}

// KubernetesToken is a projected service account token of namespace/name, with the claims a
// Kubernetes API server puts in it (sub system:serviceaccount:NS:NAME and kubernetes.io).
func (i *Issuer) KubernetesToken(t testing.TB, audience, namespace, name string) string {
	t.Helper()
	return i.Sign(t, "system:serviceaccount:"+namespace+":"+name, []string{audience}, time.Hour, map[string]any{
		"kubernetes.io": map[string]any{"namespace": namespace, "serviceaccount": map[string]any{"name": name, "uid": "0b5a7c1e"}},
	})
}

// Claiming returns an issuer that signs with i's key but writes url in iss: what an attacker
// who holds one issuer's key (a dev cluster's) does to pass for another issuer.
func (i *Issuer) Claiming(url string) *Issuer {
	c := *i
	c.URL = url
	return &c
}
