package main

// The components, their flags, and the order they come up in.

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
`

type controlPlane struct {
	dir, bin  string
	nodeGrace time.Duration
	procs     []*proc
	// exits names each component that exited without being stopped.
	exits chan string
	// apiserverArgs start the API server again on restart.
	apiserverArgs []string
	ca, admin     *keyPair
	oidc          *issuer
	server        string
	dnsAddr       string
	configs       map[string]string
}

func (cp *controlPlane) path(name string) string { return filepath.Join(cp.dir, name) }

// up generates the credentials and starts the components, each once its dependency is healthy.
func (cp *controlPlane) up() error {
	pki := cp.path("pki")
	must(os.MkdirAll(pki, 0o700))
	cp.ca = newCA(pki)
	cp.admin = client(pki, "admin", "kubernetes-admin", []string{"system:masters"}, cp.ca)
	cp.server = fmt.Sprintf("https://127.0.0.1:%d", freePort())
	cp.configs = map[string]string{}
	users := map[string][2]string{
		"test-user": {"test-user", "sts-testers"}, "viewer": {"viewer", "sts-viewers"},
		// One identity with every right for all controllers: a controller per service account
		// (--use-service-account-credentials) costs seconds of start-up, each waiting for its token.
		"controller-manager": {"system:kube-controller-manager", "system:masters"},
		"scheduler":          {"system:kube-scheduler", ""},
	}
	cp.configs["admin"] = writeKubeconfig(cp.dir, "admin", cp.server, cp.ca, cp.admin)
	for name, u := range users {
		groups := []string{}
		if u[1] != "" {
			groups = append(groups, u[1])
		}
		cp.configs[name] = writeKubeconfig(cp.dir, name, cp.server, cp.ca, client(pki, name, u[0], groups, cp.ca))
	}
	if err := cp.etcd(); err != nil {
		return err
	}
	if err := cp.apiserver(pki); err != nil {
		return err
	}
	if err := bootstrap(httpsClient(cp.ca, cp.admin), cp.server); err != nil {
		return err
	}
	return cp.parallel(cp.controllerManager, cp.scheduler, cp.coredns)
}

// parallel runs the starts at once and returns the first error.
func (cp *controlPlane) parallel(starts ...func() error) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(starts))
	for _, s := range starts {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- s() }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

var procsMu sync.Mutex

func (cp *controlPlane) launch(name string, args ...string) *proc {
	p := start(cp.bin, cp.dir, name, args...)
	procsMu.Lock()
	cp.procs = append(cp.procs, p)
	procsMu.Unlock()
	go func() {
		<-p.done
		if !p.stopping.Load() {
			cp.exits <- name + " exited: see logs/" + name + ".log"
		}
	}()
	return p
}

func (cp *controlPlane) etcd() error {
	client, peer := fmt.Sprintf("http://127.0.0.1:%d", freePort()), fmt.Sprintf("http://127.0.0.1:%d", freePort())
	p := cp.launch("etcd", "--name=test", "--data-dir="+cp.path("etcd"),
		"--listen-client-urls="+client, "--advertise-client-urls="+client,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=test="+peer, "--unsafe-no-fsync", "--log-level=warn")
	cp.configs["etcd"] = client
	return waitHealthy(p, http.DefaultClient, client+"/health", "", 30*time.Second)
}

func (cp *controlPlane) apiserver(pki string) error {
	serve := serving(pki, cp.ca)
	saKey, saPub := serviceAccountKey(pki)
	must(os.WriteFile(cp.path("audit-policy.yaml"), []byte(auditPolicy), 0o644))
	port := strings.TrimPrefix(cp.server, "https://127.0.0.1:")
	cp.apiserverArgs = []string{"--etcd-servers=" + cp.configs["etcd"],
		"--bind-address=127.0.0.1", "--secure-port=" + port, "--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none", "--cert-dir=" + cp.path("apiserver"),
		"--tls-cert-file=" + serve.certPath, "--tls-private-key-file=" + serve.keyPath,
		"--client-ca-file=" + cp.ca.certPath, "--authorization-mode=RBAC",
		"--service-account-key-file=" + saPub, "--service-account-signing-key-file=" + saKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged",
		"--audit-log-path=" + cp.path("audit.log"), "--audit-policy-file=" + cp.path("audit-policy.yaml")}
	delete(cp.configs, "etcd")
	iss, err := startIssuer(cp.dir, pki, cp.ca)
	if err != nil {
		return err
	}
	cp.oidc = iss
	cp.apiserverArgs = append(cp.apiserverArgs, iss.apiserverArgs()...)
	return cp.startAPIServer()
}

func (cp *controlPlane) startAPIServer() error {
	p := cp.launch("kube-apiserver", cp.apiserverArgs...)
	return waitHealthy(p, httpsClient(cp.ca, cp.admin), cp.server+"/readyz", "", 60*time.Second)
}

// restartAPIServer stops the API server (clients see their connections and watches end) and
// starts it again on the same port, with the same data.
func (cp *controlPlane) restartAPIServer() error {
	procsMu.Lock()
	var old *proc
	for i, p := range cp.procs {
		if p.name == "kube-apiserver" && !p.exited() {
			old = p
			cp.procs = append(cp.procs[:i], cp.procs[i+1:]...)
			break
		}
	}
	procsMu.Unlock()
	if old != nil {
		old.stop(10 * time.Second)
	}
	return cp.startAPIServer()
}

// componentArgs are the flags the controller manager and scheduler share.
func (cp *controlPlane) componentArgs(kubeconfig string, port int) []string {
	return []string{"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig,
		"--authorization-kubeconfig=" + kubeconfig, "--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", port), "--leader-elect=false"}
}

func (cp *controlPlane) controllerManager() error {
	port := freePort()
	args := append(cp.componentArgs(cp.configs["controller-manager"], port),
		"--controllers=*,bootstrapsigner,tokencleaner",
		"--service-account-private-key-file="+cp.path("pki/sa.key"), "--root-ca-file="+cp.ca.certPath,
		"--cluster-signing-cert-file="+cp.ca.certPath, "--cluster-signing-key-file="+cp.ca.keyPath,
		"--node-monitor-period=1s", "--node-monitor-grace-period="+cp.nodeGrace.String(),
		"--cert-dir="+cp.path("controller-manager"), "--authorization-always-allow-paths=/healthz,/readyz,/livez")
	p := cp.launch("kube-controller-manager", args...)
	// The controllers' health checks are listed once they have all been started.
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz?verbose", port)
	return waitHealthy(p, httpsClient(nil, nil), url, "statefulset-controller ok", 60*time.Second)
}

// unschedulableRetry bounds how long the scheduler leaves a pod it found unschedulable before
// trying it again (5 minutes by default). The scheduler can miss the event that makes a pod
// schedulable: kube-scheduler 1.34 once tried a pod 4 ms after its claim became Bound, still saw
// the claim unbound, and never tried it again, so a healthy set stayed 2/3 Ready until the test
// gave up. A real cluster recovers the same way, only later; tests of pods that stay
// unschedulable see the same event again, counted up.
const unschedulableRetry = "30s"

func (cp *controlPlane) scheduler() error {
	port := freePort()
	args := append(cp.componentArgs(cp.configs["scheduler"], port), "--cert-dir="+cp.path("scheduler"),
		"--pod-max-in-unschedulable-pods-duration="+unschedulableRetry)
	p := cp.launch("kube-scheduler", args...)
	return waitHealthy(p, httpsClient(nil, nil), fmt.Sprintf("https://127.0.0.1:%d/healthz", port), "", 60*time.Second)
}

const corefile = `.:%d {
    bind 127.0.0.1
    errors
    health 127.0.0.1:%d
    ready 127.0.0.1:%d
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig %s admin@test
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    loadbalance
}
`

func (cp *controlPlane) coredns() error {
	dns, health, ready := freePort(), freePort(), freePort()
	cp.dnsAddr = fmt.Sprintf("127.0.0.1:%d", dns)
	conf := cp.path("Corefile")
	must(os.WriteFile(conf, []byte(fmt.Sprintf(corefile, dns, health, ready, cp.configs["admin"])), 0o644))
	p := cp.launch("coredns", "-conf", conf)
	return waitHealthy(p, http.DefaultClient, fmt.Sprintf("http://127.0.0.1:%d/ready", ready), "", 60*time.Second)
}

// down stops the components, last started first.
func (cp *controlPlane) down() {
	for i := len(cp.procs) - 1; i >= 0; i-- {
		cp.procs[i].stop(10 * time.Second)
	}
}

// firstExit blocks until a component exits on its own and names it.
func (cp *controlPlane) firstExit() string {
	return <-cp.exits
}

func (cp *controlPlane) info() Info {
	pids := map[string]int{}
	for _, p := range cp.procs {
		pids[p.name] = p.cmd.Process.Pid
	}
	return Info{Server: cp.server, Kubeconfigs: cp.configs, DNS: cp.dnsAddr, Dir: cp.dir,
		Pids: pids, AuditLog: cp.path("audit.log"), OIDC: cp.oidc.info}
}
