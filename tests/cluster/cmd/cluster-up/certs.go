package main

// Certificates (X.509 v3, ECDSA P-256): one CA signing the API server's serving certificate and
// the client certificates of every user and component; the service-account signing key.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// keyPair is a certificate and its key, PEM-encoded, and where they are on disk.
type keyPair struct {
	cert, key         []byte
	certPath, keyPath string
	parsed            *x509.Certificate
	signer            *ecdsa.PrivateKey
}

var serial int64 = 1

func newKey() *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	return key
}

// issue signs a certificate for tmpl with ca (self-signed when ca is nil) and writes it to dir.
func issue(dir, name string, tmpl *x509.Certificate, ca *keyPair) *keyPair {
	key := newKey()
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(365 * 24 * time.Hour)
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.parsed, ca.signer
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	must(err)
	parsed, err := x509.ParseCertificate(der)
	must(err)
	keyDer, err := x509.MarshalECPrivateKey(key)
	must(err)
	kp := &keyPair{
		cert:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:      pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDer}),
		certPath: filepath.Join(dir, name+".crt"),
		keyPath:  filepath.Join(dir, name+".key"),
		parsed:   parsed,
		signer:   key,
	}
	must(os.WriteFile(kp.certPath, kp.cert, 0o600))
	must(os.WriteFile(kp.keyPath, kp.key, 0o600))
	return kp
}

func newCA(dir string) *keyPair {
	return issue(dir, "ca", &x509.Certificate{
		Subject:               pkix.Name{CommonName: "kubectl-sts-test-ca"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
	}, nil)
}

// serving is the API server's certificate, for every name clients use to reach it.
func serving(dir string, ca *keyPair) *keyPair {
	return issue(dir, "apiserver", &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(serviceIP)},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca)
}

// client is a client certificate: the API server takes the user from CN and groups from O.
func client(dir, name, user string, groups []string, ca *keyPair) *keyPair {
	return issue(dir, name, &x509.Certificate{
		Subject:     pkix.Name{CommonName: user, Organization: groups},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ca)
}

// serviceAccountKey writes the key pair that signs and verifies service-account tokens.
func serviceAccountKey(dir string) (private, public string) {
	key := newKey()
	der, err := x509.MarshalECPrivateKey(key)
	must(err)
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	must(err)
	private, public = filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub")
	must(os.WriteFile(private, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600))
	must(os.WriteFile(public, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600))
	return private, public
}
