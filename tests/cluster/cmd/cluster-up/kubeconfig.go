package main

// Kubeconfigs: one per user and component, certificates embedded, so a file is all a client needs.

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
)

const kubeconfigTemplate = `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: %s@test
  context:
    cluster: test
    user: %s
    namespace: default
current-context: %s@test
`

// writeKubeconfig writes <dir>/<name>.kubeconfig for the user of cert and returns its path.
func writeKubeconfig(dir, name, server string, ca, cert *keyPair) string {
	b64 := base64.StdEncoding.EncodeToString
	text := fmt.Sprintf(kubeconfigTemplate, server, b64(ca.cert), name, b64(cert.cert), b64(cert.key), name, name, name)
	path := filepath.Join(dir, name+".kubeconfig")
	must(os.WriteFile(path, []byte(text), 0o600))
	return path
}
