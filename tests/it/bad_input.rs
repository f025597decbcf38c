//! The bad-input sweep: every command with malformed and hostile arguments (empty, huge,
//! negative, unicode, names with `/` and `..`, 300-character names, invalid durations,
//! conflicting flags). Each must end with a clear error on stderr, the documented exit code
//! (2 for usage errors, 1 for input that parses but makes no sense for the cluster), nothing on
//! stdout, and no mutating request in the simulator's log.

use crate::common::{Cluster, stderr_of};

/// (arguments, exit code, text the error must contain)
type Case = (Vec<String>, i32, &'static str);

fn case(args: &[&str], code: i32, text: &'static str) -> Case {
    (args.iter().map(|a| a.to_string()).collect(), code, text)
}

/// Hostile names, each given to every command that takes one.
fn hostile_names() -> Vec<(String, &'static str)> {
    vec![
        (String::new(), "cannot be empty"),
        ("a/b".into(), "is not a valid StatefulSet name"),
        ("..".into(), "is not a valid StatefulSet name"),
        ("../../etc".into(), "is not a valid StatefulSet name"),
        ("wéb".into(), "is not a valid StatefulSet name"),
        ("Web".into(), "is not a valid StatefulSet name"),
        ("-web".into(), "error:"),
        ("x".repeat(300), "at most 253 characters"),
    ]
}

/// Each command that takes a NAME, with the other arguments it needs to be otherwise valid.
fn commands_with_a_name() -> Vec<Vec<&'static str>> {
    vec![
        vec!["status"],
        vec!["why"],
        vec!["recover", "--force-delete"],
        vec!["scale", "--replicas", "2"],
        vec!["rollout", "--image", "nginx=nginx:1.26"],
        vec!["canary", "--image", "nginx=nginx:1.26"],
        vec!["promote", "--full"],
        vec!["abort"],
        vec!["history"],
        vec!["undo"],
        vec!["roll"],
        vec!["restart"],
        vec!["delete"],
        vec!["pvc"],
        vec!["pvc", "resize", "--template", "www", "--size", "2Gi"],
        vec!["dns"],
    ]
}

fn malformed_values() -> Vec<Case> {
    vec![
        case(&["scale", "web", "--replicas", "-1"], 2, "error:"),
        case(&["scale", "web", "--replicas", "many"], 2, "invalid value"),
        case(&["scale", "web", "--replicas", "99999999999"], 2, "invalid value"),
        case(&["scale", "web"], 2, "--replicas"),
        case(
            &["status", "web", "--timeout", "5x"],
            2,
            "expected e.g. 30s, 5m, 1h",
        ),
        case(&["status", "web", "--timeout", "-5s"], 2, "error:"),
        case(
            &["status", "web", "--request-timeout", "soon"],
            2,
            "invalid value",
        ),
        case(&["status", "web", "-o", "xml"], 2, "invalid value"),
        case(&["status", "web", "-n", "a/b"], 2, "is not a valid namespace"),
        case(
            &["status", "web", "-n", &"n".repeat(64)],
            2,
            "is not a valid namespace",
        ),
        case(&["rollout", "web"], 2, "--image"),
        case(
            &["rollout", "web", "--image", "nginx"],
            2,
            "expected CONTAINER=IMAGE",
        ),
        case(
            &["rollout", "web", "--image", "=nginx:1"],
            2,
            "expected CONTAINER=IMAGE",
        ),
        case(
            &["rollout", "web", "--image", "nginx="],
            2,
            "expected CONTAINER=IMAGE",
        ),
        case(
            &[
                "rollout",
                "web",
                "--image",
                "nginx=nginx:1.26",
                "--partition",
                "-1",
            ],
            2,
            "error:",
        ),
        case(
            &[
                "rollout",
                "web",
                "--image",
                "nginx=nginx:1.26",
                "--partition",
                "9",
                "--yes",
            ],
            2,
            "outside 0..=3",
        ),
        case(
            &["rollout", "web", "--image", "nginx=ngïnx:1", "--yes"],
            2,
            "not a valid image reference",
        ),
        case(
            &["rollout", "web", "--image", "nope=nginx:1.26", "--yes"],
            2,
            "container \"nope\" is not in",
        ),
        case(
            &["canary", "web", "--image", "nginx=nginx:1.26", "--count", "0"],
            2,
            "invalid value",
        ),
        case(
            &["promote", "web", "--step", "1", "--full"],
            2,
            "cannot be used with",
        ),
        case(&["promote", "web", "--step", "0"], 2, "invalid value"),
        case(&["undo", "web", "--to-revision", "0"], 2, "invalid value"),
        case(
            &["undo", "web", "--to-revision", "42", "--yes"],
            2,
            "has no revision 42",
        ),
        case(&["roll", "web", "--ordinals", "-1"], 2, "error:"),
        case(&["roll", "web", "--ordinals", "one"], 2, "invalid value"),
        case(
            &["roll", "web", "--ordinals", "7", "--yes"],
            2,
            "ordinal 7 is not in statefulset default/web",
        ),
        case(&["roll", "web", "--ordinals", "1,1", "--yes"], 2, "given twice"),
        case(
            &["delete", "web", "--orphan", "--delete-pvcs"],
            2,
            "cannot be used with",
        ),
        case(
            &["pvc", "resize", "web", "--template", "www", "--size", "big"],
            2,
            "error:",
        ),
        case(
            &["pvc", "resize", "web", "--template", "www", "--size", "-1Gi"],
            2,
            "error:",
        ),
        case(
            &[
                "pvc",
                "resize",
                "web",
                "--template",
                "nope",
                "--size",
                "2Gi",
                "--yes",
            ],
            2,
            "nope",
        ),
        case(
            &[
                "pvc",
                "resize",
                "web",
                "--template",
                "www",
                "--size",
                "1Mi",
                "--yes",
            ],
            2,
            "error:",
        ),
        case(
            &["dns", "web", "--resolve", "--nameserver", "not-an-address"],
            1,
            "cannot resolve the address",
        ),
        case(
            &["dns", "web", "--resolve", "--nameserver", "10.0.0.1:99999"],
            2,
            "expected HOST:PORT",
        ),
        case(
            &["dns", "web", "--cluster-domain", "bad domain"],
            2,
            "is not a DNS domain",
        ),
        case(&["frobnicate", "web"], 2, "unrecognized subcommand"),
        case(&["status", "web", "--no-such-flag"], 2, "unexpected argument"),
    ]
}

#[test]
fn hostile_and_malformed_arguments_are_refused_clearly_and_change_nothing() {
    let cluster = Cluster::start();
    cluster.apply_fixture("web.yaml");
    cluster.wait_ready("web", 3);
    let mut cases = malformed_values();
    for command in commands_with_a_name() {
        for (name, text) in hostile_names() {
            let mut args: Vec<String> = command
                .iter()
                .take_while(|a| !a.starts_with("--"))
                .map(|a| a.to_string())
                .collect();
            args.push(name);
            args.extend(
                command
                    .iter()
                    .skip_while(|a| !a.starts_with("--"))
                    .map(|a| a.to_string()),
            );
            args.push("--yes".into());
            cases.push((args, 2, text));
        }
    }
    for (args, code, text) in &cases {
        let output = cluster.sts().args(args).output().unwrap();
        let err = stderr_of(&output);
        assert_eq!(output.status.code(), Some(*code), "{args:?}: {err}");
        assert!(err.contains(text), "{args:?}: expected {text:?} in {err}");
        assert!(err.starts_with("error:"), "{args:?}: {err}");
        assert!(
            output.stdout.is_empty() || *code == 1,
            "{args:?}: usage errors print nothing on stdout"
        );
    }
    let writes: Vec<_> = cluster
        .requests()
        .into_iter()
        .filter(|r| r.is_mutating())
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(cluster.statefulset("web")["metadata"]["generation"], 1);
}
