//! The tests of the simulated cluster, one test binary (`cargo test -p sts-sim --test it`):
//! each suite is a module below, selected by its name as a filter (`-- conformance::`), with
//! the shared harnesses `api_support` (kube clients on a simulator) and `conformance_support`
//! (trace replay and comparison, on the simulator or with `STS_TEST_CLUSTER=real` a real
//! control plane).

mod api_support;
mod conformance_support;

mod access;
mod api;
mod api_watch;
mod conformance;
mod conformance_rules;
mod dns;
mod faults;
mod readiness_gates;
mod tls;
