//! kubectl-sts: parse, run, map errors to exit codes.

fn main() {}
