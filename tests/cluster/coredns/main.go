// Command coredns is CoreDNS with only the plugins a test cluster needs (kubernetes among them),
// built from the github.com/coredns/coredns module.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/whoami"
)

// The directives in the order CoreDNS runs them (a subset of upstream plugin.cfg).
func init() {
	dnsserver.Directives = []string{
		"bind", "errors", "log", "health", "ready", "cache", "loadbalance", "kubernetes", "whoami",
	}
}

func main() {
	coremain.Run()
}
