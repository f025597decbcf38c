package main

// The component processes: started with their output in <dir>/logs, killed with the launcher
// (parent-death signal), stopped in reverse order with SIGTERM, then SIGKILL after a grace.

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type proc struct {
	name     string
	cmd      *exec.Cmd
	done     chan struct{}
	stopping atomic.Bool
}

// start runs <bin>/<name> with args, logging to <dir>/logs/<name>.log.
func start(bin, dir, name string, args ...string) *proc {
	must(os.MkdirAll(filepath.Join(dir, "logs"), 0o755))
	log, err := os.Create(filepath.Join(dir, "logs", name+".log"))
	must(err)
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	must(cmd.Start())
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p
}

// stop ends the process: SIGTERM, then SIGKILL if it is still there after grace.
func (p *proc) stop(grace time.Duration) {
	p.stopping.Store(true)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// handedOut holds the ports freePort gave before: the kernel may offer a closed probe's port
// again, and two components of one control plane must never be given the same one. The
// components start in parallel goroutines: handedOutMu guards it.
var (
	handedOut   = map[int]bool{}
	handedOutMu sync.Mutex
)

// freePort is a loopback TCP port nothing listens on right now and not handed out before.
func freePort() int {
	handedOutMu.Lock()
	defer handedOutMu.Unlock()
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(err)
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !handedOut[port] {
			handedOut[port] = true
			return port
		}
	}
}

// waitHealthy polls url (HTTPS with client, or plain HTTP) until it answers 200 with a body
// containing want, or p exits.
func waitHealthy(p *proc, client *http.Client, url, want string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.exited() {
			return fmt.Errorf("%s exited: see logs/%s.log", p.name, p.name)
		}
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body), want) {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not healthy at %s after %s", p.name, url, timeout)
}

// httpsClient authenticates with cert and trusts ca (or, without ca, any serving certificate:
// the controller manager and scheduler serve self-signed ones).
func httpsClient(ca, cert *keyPair) *http.Client {
	conf := &tls.Config{InsecureSkipVerify: ca == nil}
	if ca != nil {
		pool := newPool(ca)
		conf.RootCAs = pool
	}
	if cert != nil {
		pair, err := tls.X509KeyPair(cert.cert, cert.key)
		must(err)
		conf.Certificates = []tls.Certificate{pair}
	}
	return &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: conf}}
}
