// Command cluster-up brings up a Kubernetes control plane on loopback for the tests of
// kubectl-sts: etcd, kube-apiserver (RBAC, audit log, service-account keys),
// kube-controller-manager (every controller, a short node-lifecycle grace period),
// kube-scheduler and CoreDNS, all from the binaries next to it, in a fresh directory with
// X.509 v3 certificates and kubeconfigs for an admin, a test user and a read-only user, and an
// OpenID Connect issuer the API server trusts (oidc.go).
// Nodes are not its business (the tests' node stand-in registers them).
//
// Once everything is healthy it writes <dir>/cluster.json and prints "ready <dir>/cluster.json";
// on SIGUSR1 it restarts the API server and prints "restarted kube-apiserver" (or "restart
// failed: ...");
// on SIGTERM/SIGINT (or, with -exit-on-eof, when stdin closes) it stops every process, in
// reverse order, and exits (with -cleanup, removing the directory).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

const serviceIP = "10.96.0.1"

// Info is what <dir>/cluster.json says about the running control plane.
type Info struct {
	Server      string            `json:"server"`
	Kubeconfigs map[string]string `json:"kubeconfigs"`
	DNS         string            `json:"dns"`
	Dir         string            `json:"dir"`
	Pids        map[string]int    `json:"pids"`
	AuditLog    string            `json:"auditLog"`
	StartupMs   int64             `json:"startupMs"`
	OIDC        OIDCInfo          `json:"oidc"`
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "cluster-up:", err)
		os.Exit(1)
	}
}

func main() {
	dir := flag.String("dir", "", "directory for certificates, data, kubeconfigs and logs (created)")
	bin := flag.String("bin", "", "directory of the component binaries (default: this program's)")
	grace := flag.Duration("node-grace", 10*time.Second, "node-monitor-grace-period of the node lifecycle controller")
	exitOnEOF := flag.Bool("exit-on-eof", false, "stop when stdin closes (the parent went away)")
	cleanup := flag.Bool("cleanup", false, "remove -dir once stopped")
	flag.Parse()
	if *dir == "" {
		must(fmt.Errorf("-dir is required"))
	}
	if *bin == "" {
		self, err := os.Executable()
		must(err)
		*bin = filepath.Dir(self)
	}
	abs, err := filepath.Abs(*dir)
	must(err)
	must(os.MkdirAll(abs, 0o755))

	began := time.Now()
	cp := &controlPlane{dir: abs, bin: *bin, nodeGrace: *grace, exits: make(chan string, 16)}
	if err := cp.up(); err != nil {
		cp.down()
		must(err)
	}
	info := cp.info()
	info.StartupMs = time.Since(began).Milliseconds()
	data, err := json.MarshalIndent(info, "", "  ")
	must(err)
	path := filepath.Join(abs, "cluster.json")
	must(os.WriteFile(path, data, 0o644))
	fmt.Printf("ready %s\n", path)

	waitForEnd(*exitOnEOF, cp)
	cp.down()
	if *cleanup {
		_ = os.RemoveAll(abs)
	}
}

// waitForEnd blocks until a stop signal, stdin's end (when asked) or a component's exit.
func waitForEnd(exitOnEOF bool, cp *controlPlane) {
	end := make(chan string, 1)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() { end <- (<-signals).String() }()
	if exitOnEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			end <- "stdin closed"
		}()
	}
	go func() { end <- cp.firstExit() }()
	restarts := make(chan os.Signal, 1)
	signal.Notify(restarts, syscall.SIGUSR1)
	for {
		select {
		case <-restarts:
			if err := cp.restartAPIServer(); err != nil {
				fmt.Printf("restart failed: %v\n", err)
			} else {
				fmt.Println("restarted kube-apiserver")
			}
		case why := <-end:
			fmt.Fprintln(os.Stderr, "cluster-up: stopping:", why)
			return
		}
	}
}
