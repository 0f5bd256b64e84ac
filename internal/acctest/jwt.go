package acctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
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

// GitHubActionsToken is an ID token shaped like GitHub Actions' for repo at ref.
func (i *Issuer) GitHubActionsToken(t testing.TB, audience, repo, ref string, ttl time.Duration) string {
	t.Helper()
	return i.Sign(t, "repo:"+repo+":ref:"+ref, []string{audience}, ttl, map[string]any{
		"repository": repo, "ref": ref, "repository_owner": "acme", "event_name": "push",
		"workflow": "deploy", "job_workflow_ref": repo + "/.github/workflows/deploy.yml@" + ref,
	})
}

// KubernetesToken is a projected service account token of namespace/name.
func (i *Issuer) KubernetesToken(t testing.TB, audience, namespace, name string) string {
	t.Helper()
	return i.Sign(t, "system:serviceaccount:"+namespace+":"+name, []string{audience}, time.Hour, map[string]any{
		"kubernetes.io": map[string]any{"namespace": namespace, "serviceaccount": map[string]any{"name": name, "uid": "0b5a7c1e"}},
	})
}
