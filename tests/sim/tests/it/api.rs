//! The simulated API server as kube-rs and a raw HTTP client see it: CRUD, server-side
//! defaults, exact error bodies from the traces, auth, pagination, dry-run, deletion and the
//! request log.

use futures::StreamExt;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::api_support::*;

const SETS: &str = "/apis/apps/v1/namespaces/default/statefulsets";

async fn create_web(client: &kube::Client) -> Value {
    let reply = call(client, "POST", SETS, Some("application/json"), Some(&web_set())).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

#[tokio::test]
async fn crud_round_trip_with_typed_objects() {
    let sim = start();
    let services: Api<Service> = Api::default_namespaced(admin(&sim).await);
    let sent: Service = serde_json::from_value(nginx_service()).unwrap();
    let created = services.create(&PostParams::default(), &sent).await.unwrap();
    let as_json = serde_json::to_value(&created).unwrap();
    assert_eq!(
        comparable(&as_json),
        comparable(&recorded("service")),
        "defaults as a real server fills them in"
    );
    assert_eq!(services.get("nginx").await.unwrap(), created);

    let mut changed = created.clone();
    changed
        .metadata
        .labels
        .get_or_insert_default()
        .insert("tier".into(), "web".into());
    let replaced = services
        .replace("nginx", &PostParams::default(), &changed)
        .await
        .unwrap();
    assert_ne!(
        replaced.metadata.resource_version,
        created.metadata.resource_version
    );
    assert_eq!(replaced.metadata.labels.as_ref().unwrap()["tier"], "web");

    let unlabel = Patch::Merge(json!({"metadata": {"labels": {"tier": null}}}));
    let patched = services
        .patch("nginx", &PatchParams::default(), &unlabel)
        .await
        .unwrap();
    assert!(!patched.metadata.labels.as_ref().unwrap().contains_key("tier"));
    let names: Vec<String> = services
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|s| s.metadata.name)
        .collect();
    assert_eq!(names, ["nginx"]);

    let deleted = services.delete("nginx", &DeleteParams::default()).await.unwrap();
    let gone = deleted
        .left()
        .expect("a core kind answers a delete with the object");
    assert_eq!(gone.metadata.uid, created.metadata.uid);
    let missing = services.get("nginx").await.unwrap_err();
    assert!(matches!(missing, kube::Error::Api(s) if s.code == 404));
}

#[tokio::test]
async fn statefulset_defaults_match_a_real_server() {
    let sim = start();
    let created = create_web(&admin(&sim).await).await;
    let recorded = recorded("statefulset");
    assert_eq!(created["spec"], recorded["spec"]);
    assert_eq!(created["metadata"]["generation"], 1);
    assert_eq!(created["status"], json!({"replicas": 0, "availableReplicas": 0}));
}

#[tokio::test]
async fn pod_defaults_and_admission_match_a_real_server() {
    let sim = start();
    let client = admin(&sim).await;
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-0", "labels": {"app": "nginx"}},
        "spec": {
            "containers": [{"image": "nginx:1.25", "name": "nginx", "ports": [{"containerPort": 80, "name": "web"}],
                "volumeMounts": [{"mountPath": "/usr/share/nginx/html", "name": "www"}]}],
            "hostname": "web-0", "subdomain": "nginx", "nodeName": "node-2",
            "volumes": [{"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}]
        }
    });
    let reply = call(
        &client,
        "POST",
        "/api/v1/namespaces/default/pods",
        Some("application/json"),
        Some(&pod),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let mut spec = reply.body["spec"].clone();
    let token_volume = spec["volumes"][1]["name"].as_str().unwrap().to_string();
    assert!(
        token_volume.starts_with("kube-api-access-") && token_volume.len() == 21,
        "{token_volume}"
    );
    let expected = recorded("pod")["spec"]
        .to_string()
        .replace("kube-api-access-97ccr", &token_volume);
    spec.as_object_mut().unwrap().remove("nodeName");
    let mut expected: Value = serde_json::from_str(&expected).unwrap();
    expected.as_object_mut().unwrap().remove("nodeName");
    assert_eq!(spec, expected);
    assert_eq!(reply.body["status"]["qosClass"], "BestEffort");
}

#[tokio::test]
async fn claims_get_the_default_class_and_protection() {
    let sim = start();
    let claims: Api<PersistentVolumeClaim> = Api::default_namespaced(admin(&sim).await);
    let claim = json!({"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}}}});
    let created = claims
        .create(&PostParams::default(), &serde_json::from_value(claim).unwrap())
        .await
        .unwrap();
    let spec = created.spec.unwrap();
    assert_eq!(spec.storage_class_name.as_deref(), Some("standard"));
    assert_eq!(spec.volume_mode.as_deref(), Some("Filesystem"));
    assert_eq!(
        created.metadata.finalizers,
        Some(vec!["kubernetes.io/pvc-protection".to_string()])
    );
}

#[tokio::test]
async fn missing_set_is_the_recorded_404() {
    let sim = start();
    let reply = get(&admin(&sim).await, &format!("{SETS}/nope")).await;
    let expected = trace_result("get a set that does not exist");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body, expected["body"]);
}

#[tokio::test]
async fn stale_resource_version_is_the_recorded_409() {
    let sim = start();
    let client = admin(&sim).await;
    let created = create_web(&client).await;
    let old_rv = created["metadata"]["resourceVersion"].clone();
    let label = json!({"metadata": {"labels": {"touched": "yes"}}});
    let merge = Some("application/merge-patch+json");
    assert_eq!(
        call(&client, "PATCH", &format!("{SETS}/web"), merge, Some(&label))
            .await
            .status,
        200
    );
    let stale = json!({"metadata": {"resourceVersion": old_rv}, "spec": {"replicas": 5}});
    let reply = call(&client, "PATCH", &format!("{SETS}/web"), merge, Some(&stale)).await;
    let expected = trace_result("merge patch with a stale resourceVersion");
    assert_eq!(reply.status, 409);
    assert_eq!(reply.body, expected["body"]);
    let now = get(&client, &format!("{SETS}/web")).await.body;
    assert_eq!(now["spec"]["replicas"], 3, "a conflicting patch changes nothing");
}

#[tokio::test]
async fn changing_claim_templates_is_the_recorded_422() {
    let sim = start();
    let client = admin(&sim).await;
    create_web(&client).await;
    let mut templates = web_set()["spec"]["volumeClaimTemplates"].clone();
    templates[0]["spec"]["resources"]["requests"]["storage"] = json!("2Gi");
    let patch = json!({"spec": {"volumeClaimTemplates": templates}});
    let reply = call(
        &client,
        "PATCH",
        &format!("{SETS}/web"),
        Some("application/merge-patch+json"),
        Some(&patch),
    )
    .await;
    let expected = trace_result("change volumeClaimTemplates");
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body, expected["body"]);
}

#[tokio::test]
async fn invalid_sets_are_refused_with_kube_wording() {
    let sim = start();
    let client = admin(&sim).await;
    let mut bad = web_set();
    bad["spec"]["template"]["metadata"]["labels"] = json!({"app": "x"});
    let reply = call(&client, "POST", SETS, Some("application/json"), Some(&bad)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.body["message"],
        "StatefulSet.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"
    );
    let mut bad = web_set();
    bad["metadata"]["name"] = json!("Web");
    bad["spec"]["replicas"] = json!(-1);
    let reply = call(&client, "POST", SETS, Some("application/json"), Some(&bad)).await;
    assert_eq!(reply.status, 422);
    let fields: Vec<&str> = reply.body["details"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["metadata.name", "spec.replicas"]);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .starts_with("StatefulSet.apps \"Web\" is invalid: [")
    );
}

#[tokio::test]
async fn strategic_merge_changes_one_container_and_keeps_the_others() {
    let sim = start();
    let client = admin(&sim).await;
    let mut set = web_set();
    set["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "sidecar", "image": "busybox:1.36", "env": [{"name": "A", "value": "1"}]}));
    assert_eq!(
        call(&client, "POST", SETS, Some("application/json"), Some(&set))
            .await
            .status,
        201
    );
    let patch = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "busybox:1.37", "env": [{"name": "B", "value": "2"}]}
    ]}}}});
    let smp = Some("application/strategic-merge-patch+json");
    let reply = call(&client, "PATCH", &format!("{SETS}/web"), smp, Some(&patch)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let containers = reply.body["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(containers.len(), 2);
    assert_eq!(
        (containers[0]["name"].clone(), containers[0]["image"].clone()),
        (json!("nginx"), json!("nginx:1.25"))
    );
    assert_eq!(containers[1]["image"], "busybox:1.37");
    assert_eq!(
        containers[1]["env"],
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
    );
    assert_eq!(
        reply.body["metadata"]["generation"], 2,
        "a template change raises the generation"
    );
}

#[tokio::test]
async fn json_patch_test_failure_is_422_and_other_types_are_415() {
    let sim = start();
    let client = admin(&sim).await;
    create_web(&client).await;
    let ops = json!([
        {"op": "test", "path": "/spec/replicas", "value": 7},
        {"op": "replace", "path": "/spec/replicas", "value": 1}
    ]);
    let reply = call(
        &client,
        "PATCH",
        &format!("{SETS}/web"),
        Some("application/json-patch+json"),
        Some(&ops),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.body,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "the server rejected our request due to an error in our request",
            "reason": "Invalid", "details": {}, "code": 422})
    );
    let good = json!([{"op": "test", "path": "/spec/replicas", "value": 3}, {"op": "replace", "path": "/spec/replicas", "value": 1}]);
    let reply = call(
        &client,
        "PATCH",
        &format!("{SETS}/web"),
        Some("application/json-patch+json"),
        Some(&good),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["spec"]["replicas"].clone()),
        (200, json!(1))
    );
    let reply = call(
        &client,
        "PATCH",
        &format!("{SETS}/web"),
        Some("text/plain"),
        Some(&good),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["reason"].clone()),
        (415, json!("UnsupportedMediaType"))
    );
}

#[tokio::test]
async fn server_side_apply_needs_a_field_manager_and_creates() {
    let sim = start();
    let client = admin(&sim).await;
    let path = "/api/v1/namespaces/default/services/nginx";
    let apply = Some("application/apply-patch+yaml");
    let reply = call(&client, "PATCH", path, apply, Some(&nginx_service())).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.body["message"],
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
    );
    let with_manager = format!("{path}?fieldManager=tests");
    let reply = call(&client, "PATCH", &with_manager, apply, Some(&nginx_service())).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let mut again = nginx_service();
    again["metadata"]["labels"]["tier"] = json!("web");
    let reply = call(&client, "PATCH", &with_manager, apply, Some(&again)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body["metadata"]["labels"],
        json!({"app": "nginx", "tier": "web"})
    );
    assert_eq!(reply.body["spec"]["clusterIP"], "None");
}

#[tokio::test]
async fn delete_with_a_wrong_uid_precondition_is_409() {
    let sim = start();
    let client = admin(&sim).await;
    let created = create_web(&client).await;
    let uid = created["metadata"]["uid"].as_str().unwrap();
    let options =
        json!({"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "not-the-uid"}});
    let reply = call(
        &client,
        "DELETE",
        &format!("{SETS}/web"),
        Some("application/json"),
        Some(&options),
    )
    .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.body["reason"], "Conflict");
    let message = reply.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Operation cannot be fulfilled on statefulsets.apps \"web\": "),
        "{message}"
    );
    assert!(message.ends_with(&format!(
        "Precondition failed: UID in precondition: not-the-uid, UID in object meta: {uid}"
    )));
    assert_eq!(get(&client, &format!("{SETS}/web")).await.status, 200);

    let options = json!({"preconditions": {"uid": uid}, "propagationPolicy": "Orphan"});
    let reply = call(
        &client,
        "DELETE",
        &format!("{SETS}/web"),
        Some("application/json"),
        Some(&options),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn deleted_set_answers_a_success_status() {
    let sim = start();
    let client = admin(&sim).await;
    let created = create_web(&client).await;
    let reply = call(&client, "DELETE", &format!("{SETS}/web"), None, None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": "web", "group": "apps", "kind": "statefulsets", "uid": created["metadata"]["uid"]}})
    );
    assert_eq!(get(&client, &format!("{SETS}/web")).await.status, 404);
}

#[tokio::test]
async fn pod_on_a_node_deleted_stays_terminating() {
    let mut config = sts_sim::SimConfig::fast();
    config.timings.terminate = std::time::Duration::from_secs(600);
    let sim = sts_sim::Sim::start(config).unwrap();
    let pods: Api<Pod> = Api::default_namespaced(admin(&sim).await);
    let pod = json!({"metadata": {"name": "lonely"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "busybox:1.36"}]}});
    pods.create(&PostParams::default(), &serde_json::from_value(pod).unwrap())
        .await
        .unwrap();
    let answer = pods.delete("lonely", &DeleteParams::default()).await.unwrap();
    let terminating = answer.left().expect("the pod is still there");
    assert!(terminating.metadata.deletion_timestamp.is_some());
    assert_eq!(terminating.metadata.deletion_grace_period_seconds, Some(30));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let still = pods
        .get("lonely")
        .await
        .expect("the kubelet has not confirmed, so the pod stays");
    assert!(still.metadata.deletion_timestamp.is_some());
    pods.delete("lonely", &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    assert!(
        pods.get_opt("lonely").await.unwrap().is_none(),
        "grace period 0 removes it"
    );
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let sim = start();
    let client = admin(&sim).await;
    let reply = call(
        &client,
        "POST",
        &format!("{SETS}?dryRun=All"),
        Some("application/json"),
        Some(&web_set()),
    )
    .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["spec"]["podManagementPolicy"], "OrderedReady");
    assert_eq!(get(&client, &format!("{SETS}/web")).await.status, 404);
    let created = create_web(&client).await;
    let scale = json!({"spec": {"replicas": 9}});
    let merge = Some("application/merge-patch+json");
    let reply = call(
        &client,
        "PATCH",
        &format!("{SETS}/web?dryRun=All"),
        merge,
        Some(&scale),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["spec"]["replicas"].clone()),
        (200, json!(9))
    );
    let options = json!({"dryRun": ["All"]});
    let reply = call(
        &client,
        "DELETE",
        &format!("{SETS}/web"),
        Some("application/json"),
        Some(&options),
    )
    .await;
    assert_eq!(reply.status, 200);
    let now = get(&client, &format!("{SETS}/web")).await.body;
    assert_eq!(now["spec"]["replicas"], 3);
    assert_eq!(now["metadata"]["uid"], created["metadata"]["uid"]);
    assert!(now["metadata"]["deletionTimestamp"].is_null());
}

/// The set's Scale and the set itself, read at the same resourceVersion.
async fn scale_and_set(client: &kube::Client) -> (Value, Value) {
    loop {
        let scale = get(client, &format!("{SETS}/web/scale")).await.body;
        let set = get(client, &format!("{SETS}/web")).await.body;
        if scale["metadata"]["resourceVersion"] == set["metadata"]["resourceVersion"] {
            return (scale, set);
        }
    }
}

#[tokio::test]
async fn scale_subresource_is_an_autoscaling_scale() {
    let sim = start();
    let client = admin(&sim).await;
    create_web(&client).await;
    let (scale, set) = scale_and_set(&client).await;
    let mut expected = recorded("scale");
    expected["status"]["replicas"] = json!(set["status"]["replicas"].as_i64().unwrap_or(0));
    assert_eq!(comparable(&scale), comparable(&expected));
    assert_eq!(scale["metadata"]["uid"], set["metadata"]["uid"]);
}

#[tokio::test]
async fn scale_writes_go_to_the_set_with_preconditions() {
    let sim = start();
    let client = admin(&sim).await;
    create_web(&client).await;
    let (scale, _) = scale_and_set(&client).await;
    let old_rv = scale["metadata"]["resourceVersion"].clone();
    let label = json!({"metadata": {"labels": {"touched": "yes"}}});
    call(
        &client,
        "PATCH",
        &format!("{SETS}/web"),
        Some("application/merge-patch+json"),
        Some(&label),
    )
    .await;
    let stale = json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": "web", "resourceVersion": old_rv}, "spec": {"replicas": 5}});
    let reply = call(
        &client,
        "PUT",
        &format!("{SETS}/web/scale"),
        Some("application/json"),
        Some(&stale),
    )
    .await;
    assert_eq!(reply.status, 409);
    assert_eq!(
        reply.body,
        trace_result("merge patch with a stale resourceVersion")["body"]
    );

    let fresh = json!({"spec": {"replicas": 5}});
    let reply = call(
        &client,
        "PUT",
        &format!("{SETS}/web/scale"),
        Some("application/json"),
        Some(&fresh),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["spec"]["replicas"].clone()),
        (200, json!(5))
    );
    let set = get(&client, &format!("{SETS}/web")).await.body;
    assert_eq!(
        (
            set["spec"]["replicas"].clone(),
            set["metadata"]["generation"].clone()
        ),
        (json!(5), json!(2))
    );
    let patch = json!({"spec": {"replicas": 2}});
    let merge = Some("application/merge-patch+json");
    let reply = call(
        &client,
        "PATCH",
        &format!("{SETS}/web/scale"),
        merge,
        Some(&patch),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["spec"]["replicas"].clone()),
        (200, json!(2))
    );
    let negative = json!({"spec": {"replicas": -1}});
    let reply = call(
        &client,
        "PATCH",
        &format!("{SETS}/web/scale"),
        merge,
        Some(&negative),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["message"].clone()),
        (
            422,
            json!(
                "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
            )
        )
    );
}

#[tokio::test]
async fn viewer_may_read_but_not_write_and_strangers_are_unauthorized() {
    let sim = start();
    let viewer = client_from(&sim.kubeconfig_for("viewer", sts_sim::sim::VIEWER_TOKEN)).await;
    let reply = call(&viewer, "POST", SETS, Some("application/json"), Some(&web_set())).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.body["message"],
        "statefulsets.apps is forbidden: User \"viewer\" cannot create resource \"statefulsets\" in API group \"apps\" in the namespace \"default\""
    );
    assert_eq!(get(&viewer, SETS).await.status, 200);
    let reply = call(
        &viewer,
        "POST",
        "/api/v1/namespaces/default/pods/web-0/eviction",
        Some("application/json"),
        Some(&json!({})),
    )
    .await;
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("cannot create resource \"pods/eviction\"")
    );

    let stranger = anonymous(&sim).await;
    let reply = get(&stranger, SETS).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
    );
    let version = get(&stranger, "/version").await;
    assert_eq!(
        (version.status, version.body["gitVersion"].clone()),
        (200, json!("v1.36.0"))
    );
}

#[tokio::test]
async fn pagination_returns_every_item_once() {
    let sim = start();
    let client = admin(&sim).await;
    let services: Api<Service> = Api::default_namespaced(client.clone());
    for i in 0..23 {
        let svc = json!({"metadata": {"name": format!("svc-{i:02}"), "labels": {"page": "yes"}},
            "spec": {"ports": [{"port": 80}], "selector": {"app": "x"}}});
        services
            .create(&PostParams::default(), &serde_json::from_value(svc).unwrap())
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = ListParams::default().labels("page=yes").limit(5);
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        let page = services.list(&params).await.unwrap();
        pages += 1;
        seen.extend(page.items.into_iter().filter_map(|s| s.metadata.name));
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    let expected: Vec<String> = (0..23).map(|i| format!("svc-{i:02}")).collect();
    assert_eq!((seen, pages), (expected, 5));
}

#[tokio::test]
async fn request_log_records_verbs_users_and_subresources() {
    let sim = start();
    let client = admin(&sim).await;
    create_web(&client).await;
    get(&client, &format!("{SETS}/web/scale")).await;
    get(&client, SETS).await;
    let merge = Some("application/merge-patch+json");
    call(
        &client,
        "PATCH",
        &format!("{SETS}/web/scale"),
        merge,
        Some(&json!({"spec": {"replicas": 1}})),
    )
    .await;
    call(&client, "DELETE", &format!("{SETS}/web"), None, None).await;
    let verbs: Vec<(String, Option<String>, u16)> = sim
        .log
        .entries()
        .into_iter()
        .filter(|e| e.resource == "statefulsets")
        .map(|e| (e.verb, e.subresource, e.status))
        .collect();
    let scale = Some("scale".to_string());
    assert_eq!(
        verbs,
        [
            ("create".into(), None, 201),
            ("get".into(), scale.clone(), 200),
            ("list".into(), None, 200),
            ("patch".into(), scale, 200),
            ("delete".into(), None, 200)
        ]
    );
    assert!(sim.log.entries().iter().all(|e| e.user == "sts-sim-admin"));
    assert_eq!(sim.log.mutating().len(), 3);
    sim.log.clear();
    assert!(sim.log.entries().is_empty());
}

/// Creates claim `name` of `class` (1Gi) and marks it Bound through its status.
async fn bound_claim(client: &kube::Client, name: &str, class: &str) {
    let claims = "/api/v1/namespaces/default/persistentvolumeclaims";
    let claim = json!({"metadata": {"name": name}, "spec": {"accessModes": ["ReadWriteOnce"],
        "storageClassName": class, "resources": {"requests": {"storage": "1Gi"}}}});
    assert_eq!(
        call(client, "POST", claims, Some("application/json"), Some(&claim))
            .await
            .status,
        201
    );
    let bound = json!({"status": {"phase": "Bound"}});
    let merge = Some("application/merge-patch+json");
    let reply = call(
        client,
        "PATCH",
        &format!("{claims}/{name}/status"),
        merge,
        Some(&bound),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn claims_grow_only_with_an_expandable_class() {
    let sim = start();
    let client = admin(&sim).await;
    let claims = "/api/v1/namespaces/default/persistentvolumeclaims";
    bound_claim(&client, "grows", "standard").await;
    bound_claim(&client, "fixed", "manual").await;
    let size = |s: &str| json!({"spec": {"resources": {"requests": {"storage": s}}}});
    let merge = Some("application/merge-patch+json");
    let reply = call(
        &client,
        "PATCH",
        &format!("{claims}/grows"),
        merge,
        Some(&size("2Gi")),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = call(
        &client,
        "PATCH",
        &format!("{claims}/grows"),
        merge,
        Some(&size("1Gi")),
    )
    .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.body["message"],
        "PersistentVolumeClaim \"grows\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value"
    );
    let reply = call(
        &client,
        "PATCH",
        &format!("{claims}/fixed"),
        merge,
        Some(&size("2Gi")),
    )
    .await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.body["message"],
        "persistentvolumeclaims \"fixed\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
    );
    let access = json!({"spec": {"accessModes": ["ReadWriteMany"]}});
    let reply = call(&client, "PATCH", &format!("{claims}/grows"), merge, Some(&access)).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("spec: Forbidden: spec is immutable after creation")
    );
}

#[tokio::test]
async fn eviction_and_deletecollection() {
    let sim = start();
    let client = admin(&sim).await;
    let pods = "/api/v1/namespaces/default/pods";
    for name in ["a", "b", "c"] {
        let pod = json!({"metadata": {"name": name, "labels": {"group": if name == "c" { "other" } else { "one" }}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}});
        assert_eq!(
            call(&client, "POST", pods, Some("application/json"), Some(&pod))
                .await
                .status,
            201
        );
    }
    let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "a"}});
    let reply = call(
        &client,
        "POST",
        &format!("{pods}/a/eviction"),
        Some("application/json"),
        Some(&eviction),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    );
    let reply = call(
        &client,
        "DELETE",
        &format!("{pods}?labelSelector=group%3Done"),
        None,
        None,
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["kind"].clone()),
        (200, json!("PodList"))
    );
    let left: Vec<String> = sim
        .store
        .list(&sts_sim::resources::PODS, Some("default"), &|p| {
            p["metadata"]["deletionTimestamp"].is_null()
        })
        .0
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, ["c"]);
}

#[tokio::test]
async fn discovery_lets_kubectl_find_resources() {
    let sim = start();
    let client = admin(&sim).await;
    let apps = get(&client, "/apis/apps/v1").await.body;
    let sts = apps["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "statefulsets")
        .unwrap()
        .clone();
    assert_eq!(sts["shortNames"], json!(["sts"]));
    assert_eq!(sts["kind"], "StatefulSet");
    let scale = apps["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "statefulsets/scale")
        .unwrap()
        .clone();
    assert_eq!(
        (scale["group"].clone(), scale["kind"].clone()),
        (json!("autoscaling"), json!("Scale"))
    );
    let core = get(&client, "/api/v1").await.body;
    let names: Vec<&str> = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"pods/eviction") && names.contains(&"namespaces"),
        "{names:?}"
    );
    let groups = get(&client, "/apis").await.body;
    assert!(
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "policy")
    );
    let info = client.apiserver_version().await.unwrap();
    assert_eq!((info.major.as_str(), info.minor.as_str()), ("1", "36"));
    assert_eq!(get(&client, "/api/v1/nonsense").await.status, 404);
}

#[tokio::test]
async fn pod_updates_may_change_images_only() {
    let sim = start();
    let client = admin(&sim).await;
    let pods = "/api/v1/namespaces/default/pods";
    let pod =
        json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}});
    assert_eq!(
        call(&client, "POST", pods, Some("application/json"), Some(&pod))
            .await
            .status,
        201
    );
    let smp = Some("application/strategic-merge-patch+json");
    let image = json!({"spec": {"containers": [{"name": "c", "image": "busybox:1.37"}]}, "metadata": {"labels": {"a": "b"}}});
    let reply = call(&client, "PATCH", &format!("{pods}/p"), smp, Some(&image)).await;
    assert_eq!(
        (reply.status, reply.body["spec"]["containers"][0]["image"].clone()),
        (200, json!("busybox:1.37"))
    );
    let hostname = json!({"spec": {"hostname": "other"}});
    let reply = call(&client, "PATCH", &format!("{pods}/p"), smp, Some(&hostname)).await;
    assert_eq!(reply.status, 422);
    let message = reply.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"),
        "{message}"
    );
}

#[tokio::test]
async fn names_and_create_preconditions_follow_kube_rules() {
    let sim = start();
    let client = admin(&sim).await;
    let services = "/api/v1/namespaces/default/services";
    let mut svc = nginx_service();
    svc["metadata"]["name"] = json!("1nginx");
    let reply = call(&client, "POST", services, Some("application/json"), Some(&svc)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.body["message"],
        "Service \"1nginx\" is invalid: metadata.name: Invalid value: \"1nginx\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    );
    let mut svc = nginx_service();
    svc["metadata"]["resourceVersion"] = json!("12");
    let reply = call(&client, "POST", services, Some("application/json"), Some(&svc)).await;
    assert_eq!(
        (reply.status, reply.body["message"].clone()),
        (
            400,
            json!("resourceVersion should not be set on objects to be created")
        )
    );
    let mut svc = nginx_service();
    svc["metadata"]["namespace"] = json!("kube-system");
    let reply = call(&client, "POST", services, Some("application/json"), Some(&svc)).await;
    assert_eq!(reply.status, 400);
    let reply = call(
        &client,
        "POST",
        "/api/v1/namespaces/nowhere/services",
        Some("application/json"),
        Some(&nginx_service()),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["message"].clone()),
        (404, json!("namespaces \"nowhere\" not found"))
    );
}

#[tokio::test]
async fn deleted_namespace_terminates_and_goes_with_its_content() {
    let sim = start();
    namespace(&sim, "doomed");
    let client = admin(&sim).await;
    let services = "/api/v1/namespaces/doomed/services";
    assert_eq!(
        call(
            &client,
            "POST",
            services,
            Some("application/json"),
            Some(&nginx_service())
        )
        .await
        .status,
        201
    );
    let reply = call(&client, "DELETE", "/api/v1/namespaces/doomed", None, None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"]["phase"], "Terminating");
    assert!(reply.body["metadata"]["deletionTimestamp"].is_string());
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while namespaces.get_opt("doomed").await.unwrap().is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "the namespace goes once empty"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        sim.store
            .try_get(&sts_sim::resources::SERVICES, "doomed", "nginx")
            .is_none()
    );
}

/// kubectl, where installed, sends its token to the default (TLS) server and sees the set.
fn kubectl_lists_the_set(kubeconfig: &std::path::Path) {
    let Ok(output) = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "statefulsets", "-n", "demo", "-o", "name"])
        .output()
    else {
        eprintln!("kubectl is not installed: the kubectl half of this test is left out");
        return;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && text.contains("statefulset.apps/web"),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_binary_applies_manifests_and_writes_a_kubeconfig() {
    let dir = std::env::temp_dir().join(format!("sts-sim-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = dir.join("web.yaml");
    let yaml = format!(
        "{}---\n{}",
        serde_json::to_string(&nginx_service()).unwrap() + "\n",
        serde_json::to_string(&web_set()).unwrap() + "\n"
    );
    std::fs::write(&manifest, yaml).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sts-sim"))
        .args(["--timings", "fast", "-n", "demo", "--apply"])
        .arg(&manifest)
        .arg("--kubeconfig-out")
        .arg(&kubeconfig)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "sts-sim exited early"
        );
    }
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("https://"), "TLS by default, for kubectl: {url}");
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(text.contains(&url), "{text}");
    kubectl_lists_the_set(&kubeconfig);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let set = runtime.block_on(async {
        let client = client_from(&text).await;
        get(&client, "/apis/apps/v1/namespaces/demo/statefulsets/web").await
    });
    assert_eq!(set.status, 200, "{}", set.text);
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn tls_serves_the_same_api_to_kube_clients() {
    let mut config = sts_sim::SimConfig::fast();
    config.tls = true;
    let sim = sts_sim::Sim::start(config).unwrap();
    assert!(sim.url().starts_with("https://127.0.0.1:"));
    assert!(sim.kubeconfig().contains("certificate-authority-data: "));
    let client = admin(&sim).await;
    let namespaces = get(&client, "/api/v1/namespaces").await;
    assert_eq!(
        (
            namespaces.status,
            namespaces.body["items"].as_array().unwrap().len()
        ),
        (200, 4)
    );
    let services: Api<Service> = Api::default_namespaced(client);
    let sent: Service = serde_json::from_value(nginx_service()).unwrap();
    services.create(&PostParams::default(), &sent).await.unwrap();
    let params = kube::api::WatchParams::default().disable_bookmarks();
    let mut events = services.watch(&params, "0").await.unwrap().boxed();
    let first = futures::TryStreamExt::try_next(&mut events)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(first, kube::api::WatchEvent::Added(_)));
}

#[tokio::test]
async fn openapi_tells_kubectl_that_field_validation_is_served() {
    let sim = start();
    let client = admin(&sim).await;
    let index = get(&client, "/openapi/v3").await.body;
    let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    let doc = get(&client, &url).await.body;
    let patch = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]["patch"];
    assert_eq!(patch["x-kubernetes-group-version-kind"]["kind"], "StatefulSet");
    assert!(
        patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation")
    );
    let core = get(&client, "/openapi/v3/api/v1").await.body;
    assert!(core["paths"]["/api/v1/namespaces/{name}"]["patch"].is_object());
}

#[tokio::test]
async fn bodies_in_yaml_are_read_and_protobuf_is_refused() {
    let sim = start();
    let client = admin(&sim).await;
    let services = "/api/v1/namespaces/default/services";
    let yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: from-yaml\nspec:\n  ports:\n  - port: 80\n";
    let req = axum::http::Request::post(services)
        .header("content-type", "application/yaml")
        .body(kube::client::Body::from(yaml.as_bytes().to_vec()))
        .unwrap();
    let res = client.send(req).await.unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let reply = call(
        &client,
        "POST",
        services,
        Some("application/vnd.kubernetes.protobuf"),
        Some(&json!({})),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body["reason"].clone()),
        (415, json!("UnsupportedMediaType"))
    );
}

#[tokio::test]
async fn kubectl_get_receives_tables() {
    let sim = start();
    let client = admin(&sim).await;
    create_web(&client).await;
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    let req = axum::http::Request::get(SETS)
        .header("accept", accept)
        .body(Vec::new())
        .unwrap();
    let text = client.request_text(req).await;
    let table: Value = serde_json::from_str(&text.unwrap()).unwrap();
    assert_eq!(
        (table["kind"].clone(), table["apiVersion"].clone()),
        (json!("Table"), json!("meta.k8s.io/v1"))
    );
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Name", "Ready", "Age", "Containers", "Images"]);
    let row = &table["rows"][0];
    assert_eq!(row["cells"][0], "web");
    assert_eq!(row["cells"][4], "nginx:1.25");
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");
    assert_eq!(row["object"]["metadata"]["namespace"], "default");
    let plain = get(&client, SETS).await.body;
    assert_eq!(
        plain["kind"], "StatefulSetList",
        "without the Accept header: the list"
    );
}
