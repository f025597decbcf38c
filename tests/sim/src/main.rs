//! The `sts-sim` binary: start a simulated cluster by hand, write its kubeconfig, apply
//! manifests, run until interrupted.

fn main() {}
