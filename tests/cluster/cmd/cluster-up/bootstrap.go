package main

// What a fresh cluster needs before the tests use it: the test user may edit everything in
// every namespace, the viewer may read it; both may read the cluster-scoped objects the tool
// shows (nodes, volumes, storage classes, node leases); namespace default has its service account.

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
)

const clusterReader = `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
 "metadata":{"name":"sts-test-cluster-reader"},
 "rules":[{"apiGroups":[""],"resources":["nodes","persistentvolumes"],"verbs":["get","list","watch"]},
  {"apiGroups":["storage.k8s.io"],"resources":["storageclasses","volumeattachments"],"verbs":["get","list","watch"]},
  {"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":["get","list","watch"]}]}`

// The testers fence dead nodes (`kubectl sts recover --out-of-service` taints them).
const nodeFencer = `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
 "metadata":{"name":"sts-test-node-fencer"},
 "rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["patch","update"]}]}`

func binding(name, role, group string) string {
	return fmt.Sprintf(`{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
 "metadata":{"name":%q},
 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":%q},
 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":%q}]}`, name, role, group)
}

func bootstrap(client *http.Client, server string) error {
	const rbac = "/apis/rbac.authorization.k8s.io/v1/"
	objects := [][2]string{
		{rbac + "clusterroles", clusterReader},
		{rbac + "clusterroles", nodeFencer},
		{rbac + "clusterrolebindings", binding("sts-testers-edit", "edit", "sts-testers")},
		{rbac + "clusterrolebindings", binding("sts-testers-read", "sts-test-cluster-reader", "sts-testers")},
		{rbac + "clusterrolebindings", binding("sts-testers-fence", "sts-test-node-fencer", "sts-testers")},
		{rbac + "clusterrolebindings", binding("sts-viewers-view", "view", "sts-viewers")},
		{rbac + "clusterrolebindings", binding("sts-viewers-read", "sts-test-cluster-reader", "sts-viewers")},
		// Pods need their namespace's default service account; the controller manager makes it
		// only seconds after it starts, so the one of "default" is made here.
		{"/api/v1/namespaces/default/serviceaccounts", `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}}`},
	}
	for _, o := range objects {
		resp, err := client.Post(server+o[0], "application/json", bytes.NewBufferString(o[1]))
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusConflict {
			return fmt.Errorf("creating %s: %s: %s", o[0], resp.Status, body)
		}
	}
	return nil
}

func newPool(ca *keyPair) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.parsed)
	return pool
}
