#!/usr/bin/env bash
# Builds the test control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# coredns) from the Go modules here, once: the binaries go to a cache directory keyed by a hash
# of the modules, this script and the Go version, and are reused while none of them changes.
# Prints the directory holding the binaries on stdout; progress goes to stderr.
#
# Usage: build.sh [MINOR]
# Without an argument it builds the main Kubernetes version, pinned by go.mod here; with one
# (e.g. 1.34) it builds the same commands against the module versions pinned by
# versions/v<MINOR>/go.mod and go.sum (CONTRIBUTING.md: Testing on other Kubernetes versions).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${STS_CLUSTER_CACHE:-$HOME/.cache/kubectl-sts/cluster}

# modfile is the go.mod the build reads (relative to $here); prefix tells the cache
# directories of a version apart from the main version's, each version keeping its own.
modfile=go.mod
prefix=""
if [ $# -gt 0 ]; then
	modfile=versions/v$1/go.mod
	prefix=v$1-
	if [ ! -f "$here/$modfile" ]; then
		echo "no module for Kubernetes $1: the versions are $(cd "$here/versions" && echo v*)" >&2
		exit 2
	fi
fi
sumfile=${modfile%.mod}.sum

inputs() {
	go version
	(cd "$here" && { find . \( -name '*.go' -o -name build.sh -o -path ./coredns/go.mod -o -path ./coredns/go.sum \) \
		-not -path './bin/*'; echo "$modfile"; echo "$sumfile"; } | LC_ALL=C sort | xargs sha256sum)
}
hash=$(inputs | sha256sum | cut -c1-16)
out=$cache/$prefix$hash
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; a second caller waits and then finds the result
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

# The version ldflags: the components report (and the API server's compatibility version
# derives from) the module versions they are built from.
modver() { (cd "$1" && go list -m "${@:3}" -f '{{.Version}}' "$2"); }
kube=$(modver "$here" k8s.io/kubernetes -modfile="$modfile")
etcd=$(modver "$here" go.etcd.io/etcd/server/v3 -modfile="$modfile")
coredns=$(modver "$here/coredns" github.com/coredns/coredns)
major=${kube#v}; major=${major%%.*}
minor=${kube#v*.}; minor=${minor%%.*}
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
kubeflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	kubeflags+=" -X $pkg.gitVersion=$kube -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
	kubeflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date -X $pkg.gitCommit=module-$kube"
done

tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
start=$(date +%s)
echo "building the control plane ($kube, etcd $etcd, coredns $coredns) into $out" >&2
(cd "$here" && go build -modfile="$modfile" -trimpath -buildvcs=false -ldflags "-s -w $kubeflags -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$etcd" \
	-o "$tmp/" ./cmd/...)
(cd "$here/coredns" && go build -trimpath -buildvcs=false -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=module-$coredns" \
	-o "$tmp/coredns" .)
echo "built in $(($(date +%s) - start)) s" >&2
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
# Keep the three newest builds of this version (about 350 MB each; the main version's names
# are bare hashes, which never start with "v"); older module states are rebuilt if needed.
find "$cache" -mindepth 1 -maxdepth 1 -type d -name "${prefix:-[0-9a-f]}*" -not -name '*.tmp.*' -printf '%T@ %p\n' |
	sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
echo "$out"
