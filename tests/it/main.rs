//! The black-box tests of `kubectl-sts`, one test binary (`cargo test --test it`): each suite is
//! a module below, so a suite is selected by its name as a filter (`cargo test --test it --
//! roll::`), and the harness `common` is shared by all of them. The cluster is the simulator,
//! or with `STS_TEST_CLUSTER=real` a real control plane (CONTRIBUTING.md: Testing). `docs` and
//! `layout` check the repository itself: its links, and the module graph of `src/`.

mod common;

mod access;
mod apply;
mod auth;
mod bad_input;
mod completion;
mod crash;
mod delete;
mod dns;
mod docs;
mod engine;
mod exit_codes;
mod fleet;
mod gates;
mod hints;
mod krew;
mod layout;
mod plan;
mod progressive;
mod pvc;
mod recover;
mod regressions;
mod resilience;
mod roll;
mod rollout;
mod scale;
mod snapshots;
mod status;
mod wait;
mod why;
