package main

// An OpenID Connect issuer on loopback that the API server trusts: the tests' stand-in for a
// company's identity provider, for kubeconfig users with an `oidc` auth-provider. It serves its
// discovery document, its signing key (JWKS) and a token endpoint for the refresh-token grant.
// A refresh token is either `mint:<subject>:<lifetime>` (how a test gets its first ID token:
// `mint:alice:-1m` gives one that has already expired) or one the issuer returned; each works
// once and comes back with a new one, as identity providers that rotate refresh tokens do. ID
// tokens (ES256) name the subject, the client `kubectl-sts` and the group `sts-testers` (the
// test user's rights); the API server takes the user as `oidc:<subject>`. Each token request is
// a line of <dir>/oidc.log: `refresh <token> -> <outcome>`.

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

const oidcClientID = "kubectl-sts"

// OIDCInfo is what cluster.json says about the issuer.
type OIDCInfo struct {
	Issuer   string `json:"issuer"`
	CA       string `json:"ca"`
	ClientID string `json:"clientID"`
	Log      string `json:"log"`
}

type issuer struct {
	info OIDCInfo
	key  *ecdsa.PrivateKey
	mu   sync.Mutex
	// refresh maps each refresh token issued and not yet spent to its subject and lifetime.
	refresh map[string]grant
	serial  int
}

type grant struct {
	subject  string
	lifetime time.Duration
}

// startIssuer serves the issuer over TLS (a certificate of ca for 127.0.0.1).
func startIssuer(dir, pki string, ca *keyPair) (*issuer, error) {
	cert := issue(pki, "oidc", &x509.Certificate{
		Subject:     pkix.Name{CommonName: "oidc-issuer"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca)
	pair, err := tls.X509KeyPair(cert.cert, cert.key)
	if err != nil {
		return nil, err
	}
	listener, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		return nil, err
	}
	iss := &issuer{
		info: OIDCInfo{Issuer: "https://" + listener.Addr().String(), CA: ca.certPath,
			ClientID: oidcClientID, Log: dir + "/oidc.log"},
		key:     newKey(),
		refresh: map[string]grant{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", iss.discovery)
	mux.HandleFunc("/keys", iss.keys)
	mux.HandleFunc("/token", iss.token)
	go func() { _ = http.Serve(listener, mux) }()
	return iss, nil
}

// apiserverArgs make the API server trust the issuer's ID tokens.
func (iss *issuer) apiserverArgs() []string {
	return []string{"--oidc-issuer-url=" + iss.info.Issuer, "--oidc-client-id=" + oidcClientID,
		"--oidc-ca-file=" + iss.info.CA, "--oidc-username-claim=sub", "--oidc-username-prefix=oidc:",
		"--oidc-groups-claim=groups", "--oidc-signing-algs=ES256"}
}

func (iss *issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": iss.info.Issuer, "jwks_uri": iss.info.Issuer + "/keys",
		"token_endpoint":                        iss.info.Issuer + "/token",
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
	})
}

func (iss *issuer) keys(w http.ResponseWriter, _ *http.Request) {
	pub := iss.key.PublicKey
	coordinate := func(b []byte) string { return b64(append(make([]byte, 32-len(b)), b...)) }
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "kid": "1", "alg": "ES256", "use": "sig",
		"x": coordinate(pub.X.Bytes()), "y": coordinate(pub.Y.Bytes()),
	}}})
}

// token answers the refresh-token grant: a new ID token and a new refresh token, the one used
// spent.
func (iss *issuer) token(w http.ResponseWriter, r *http.Request) {
	clientID, _, basic := r.BasicAuth()
	if !basic {
		clientID = r.PostFormValue("client_id")
	}
	used := r.PostFormValue("refresh_token")
	outcome, status, answer := iss.exchange(r.PostFormValue("grant_type"), clientID, used)
	iss.logLine(fmt.Sprintf("refresh %s -> %s", used, outcome))
	writeJSON(w, status, answer)
}

func (iss *issuer) exchange(grantType, clientID, used string) (string, int, map[string]any) {
	refused := func(why string) (string, int, map[string]any) {
		return "refused: " + why, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": why}
	}
	if grantType != "refresh_token" || clientID != oidcClientID {
		return refused(fmt.Sprintf("grant %q of client %q", grantType, clientID))
	}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	g, known := iss.refresh[used]
	delete(iss.refresh, used)
	if !known {
		parts := strings.Split(used, ":")
		lifetime, err := time.ParseDuration(parts[len(parts)-1])
		if len(parts) != 3 || parts[0] != "mint" || err != nil {
			return refused("the refresh token is unknown or spent")
		}
		g = grant{subject: parts[1], lifetime: lifetime}
	}
	iss.serial++
	next := fmt.Sprintf("rotated-%d", iss.serial)
	iss.refresh[next] = g
	idToken, err := iss.sign(g)
	if err != nil {
		return "failed: " + err.Error(), http.StatusInternalServerError, map[string]any{"error": "server_error"}
	}
	return "issued " + next, http.StatusOK, map[string]any{"id_token": idToken, "access_token": idToken,
		"refresh_token": next, "token_type": "Bearer", "expires_in": int(g.lifetime.Seconds())}
}

// sign is an ES256 JWT for the grant's subject, expiring after its lifetime.
func (iss *issuer) sign(g grant) (string, error) {
	now := time.Now()
	header, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": "1"})
	claims, _ := json.Marshal(map[string]any{"iss": iss.info.Issuer, "sub": g.subject, "aud": oidcClientID,
		"iat": now.Unix(), "exp": now.Add(g.lifetime).Unix(), "groups": []string{"sts-testers"}})
	signed := b64(header) + "." + b64(claims)
	digest := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, iss.key, digest[:])
	if err != nil {
		return "", err
	}
	signature := make([]byte, 64)
	r.FillBytes(signature[:32])
	s.FillBytes(signature[32:])
	return signed + "." + b64(signature), nil
}

func (iss *issuer) logLine(line string) {
	f, err := os.OpenFile(iss.info.Log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = fmt.Fprintln(f, line)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
