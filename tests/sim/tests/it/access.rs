//! SelfSubjectAccessReview: answered with the rules requests are authorized by (admin: all;
//! viewer: get, list and watch), in the shape kube-apiserver gives, listed in discovery, and
//! not counted as a write in the request log.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};
use kube::{Client, Discovery};
use serde_json::json;
use sts_sim::sim::VIEWER_TOKEN;

use crate::api_support::*;

const REVIEWS: &str = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

/// Whether `client`'s user may `verb` `resource` (`pods`, `pods/eviction`) in `default`.
async fn can(client: &Client, verb: &str, group: &str, resource: &str) -> (bool, Option<String>) {
    let (resource, subresource) = match resource.split_once('/') {
        Some((r, s)) => (r.to_string(), Some(s.to_string())),
        None => (resource.to_string(), None),
    };
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some("default".into()),
                verb: Some(verb.into()),
                group: Some(group.into()),
                resource: Some(resource),
                subresource,
                name: Some("web".into()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answer = api
        .create(&PostParams::default(), &review)
        .await
        .expect("review answered");
    let status = answer.status.expect("status");
    assert_eq!(
        status.denied, None,
        "RBAC has no opinion, it never denies outright"
    );
    assert_eq!(
        answer.spec.resource_attributes.and_then(|a| a.verb),
        Some(verb.to_string()),
        "the spec comes back"
    );
    (status.allowed, status.reason)
}

#[tokio::test]
async fn the_admin_may_do_anything_and_the_viewer_only_read() {
    let sim = start();
    let admin = admin(&sim).await;
    let viewer = client_from(&sim.kubeconfig_for("viewer", VIEWER_TOKEN)).await;
    let (allowed, reason) = can(&admin, "delete", "apps", "statefulsets").await;
    assert!(allowed);
    assert_eq!(
        reason.as_deref(),
        Some(
            "RBAC: allowed by ClusterRoleBinding \"sts-sim-admin\" of ClusterRole \"cluster-admin\" to User \"sts-sim-admin\""
        )
    );
    assert!(can(&admin, "create", "", "pods/eviction").await.0);
    for verb in ["get", "list", "watch"] {
        assert!(
            can(&viewer, verb, "apps", "statefulsets").await.0,
            "viewer may {verb}"
        );
    }
    for (verb, resource) in [
        ("patch", "statefulsets"),
        ("update", "statefulsets/scale"),
        ("delete", "pods"),
        ("create", "pods/eviction"),
        ("*", "pods"),
    ] {
        assert_eq!(
            can(&viewer, verb, "", resource).await,
            (false, None),
            "viewer may not {verb} {resource}"
        );
    }
    assert!(sim.log.mutating().is_empty(), "reviews are not writes");
    assert_eq!(sim.log.with("create", "selfsubjectaccessreviews").len(), 10);
}

#[tokio::test]
async fn a_review_answers_as_kube_apiserver_does() {
    let sim = start();
    let viewer = client_from(&sim.kubeconfig_for("viewer", VIEWER_TOKEN)).await;
    let spec = json!({"resourceAttributes": {"namespace": "default", "verb": "delete", "resource": "pods", "name": "web-0"}});
    let reply = call(
        &viewer,
        "POST",
        REVIEWS,
        Some("application/json"),
        Some(&json!({"spec": spec})),
    )
    .await;
    assert_eq!(reply.status, 201);
    assert_eq!(
        reply.body,
        json!({
            "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": null}, "spec": spec, "status": {"allowed": false}
        })
    );
    let paths = json!({"spec": {"nonResourceAttributes": {"path": "/version", "verb": "get"}}});
    let reply = call(&viewer, "POST", REVIEWS, None, Some(&paths)).await;
    assert_eq!(reply.body["status"]["allowed"], true);
    let empty = call(&viewer, "POST", REVIEWS, None, Some(&json!({"spec": {}}))).await;
    assert_eq!(
        (empty.status, empty.body["reason"].as_str()),
        (422, Some("Invalid"))
    );
    assert!(
        empty.body["message"]
            .as_str()
            .unwrap()
            .contains("exactly one of nonResourceAttributes or resourceAttributes must be specified")
    );
    assert_eq!(get(&viewer, REVIEWS).await.status, 405);
    assert_eq!(
        call(&anonymous(&sim).await, "POST", REVIEWS, None, Some(&paths))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn discovery_lists_the_review() {
    let sim = start();
    let client = admin(&sim).await;
    let group = get(&client, "/apis/authorization.k8s.io").await;
    assert_eq!(
        group.body["preferredVersion"]["groupVersion"],
        "authorization.k8s.io/v1"
    );
    let discovery = Discovery::new(client).run().await.expect("discovery runs");
    let group = discovery
        .get("authorization.k8s.io")
        .expect("the authorization group is discovered");
    let (resource, caps) = group
        .recommended_resources()
        .into_iter()
        .find(|(r, _)| r.plural == "selfsubjectaccessreviews")
        .expect("the review is listed");
    assert_eq!(resource.kind, "SelfSubjectAccessReview");
    assert!(caps.supports_operation(kube::discovery::verbs::CREATE));
    assert!(!caps.supports_operation(kube::discovery::verbs::GET));
}
