//! The real backend of the harness (`STS_TEST_CLUSTER=real`): a control plane per test with
//! the node stand-in (`node_standin::cluster`: stopped when the test's cluster is dropped, or
//! with the test process); the harness reads and writes through the API as the admin, the
//! tool runs as the test user.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kube::api::{Api, ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use node_standin::Config;
use serde_json::Value;
use sts_sim::resources::{self, Resource};
use sts_sim::server::LoggedRequest;

/// A running control plane with its nodes, and an admin client for the harness.
pub struct ControlPlane {
    pub info: Value,
    pub runtime: tokio::runtime::Runtime,
    pub client: kube::Client,
    /// Last, so that it stops after the harness's watches are gone.
    pub plane: node_standin::cluster::ControlPlane,
}

impl ControlPlane {
    /// Brings up a control plane in `dir` and its nodes (the stand-in's default timings).
    pub fn start(dir: &Path) -> ControlPlane {
        let plane =
            node_standin::cluster::ControlPlane::start(dir, Config::default()).expect("control plane starts");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let client = runtime
            .block_on(node_standin::client_for(&plane.kubeconfig("admin")))
            .expect("admin client");
        let info = plane.info.clone();
        let plane = ControlPlane {
            info,
            runtime,
            client,
            plane,
        };
        plane.wait_for_default_account();
        plane
    }

    /// The kubeconfig of a user (`admin`, `test-user`, `viewer`).
    pub fn kubeconfig(&self, user: &str) -> PathBuf {
        self.plane.kubeconfig(user)
    }

    fn api(&self, res: &Resource, namespace: &str) -> Api<DynamicObject> {
        let ar = ApiResource {
            group: res.group.into(),
            version: res.version.into(),
            api_version: res.api_version(),
            kind: res.kind.into(),
            plural: res.plural.into(),
        };
        if res.namespaced {
            Api::namespaced_with(self.client.clone(), namespace, &ar)
        } else {
            Api::all_with(self.client.clone(), &ar)
        }
    }

    /// An object, if it exists.
    pub fn get(&self, res: &Resource, namespace: &str, name: &str) -> Option<Value> {
        let found = self
            .runtime
            .block_on(self.api(res, namespace).get_opt(name))
            .expect("get");
        found.map(|o| serde_json::to_value(o).expect("json"))
    }

    /// Every object of the kind in the namespace.
    pub fn list(&self, res: &Resource, namespace: &str) -> Vec<Value> {
        let list = self
            .runtime
            .block_on(self.api(res, namespace).list(&ListParams::default()))
            .expect("list");
        list.items
            .into_iter()
            .map(|o| serde_json::to_value(o).expect("json"))
            .collect()
    }

    /// Creates the objects of a multi-document YAML text in the namespace.
    pub fn apply_yaml(&self, namespace: &str, text: &str) {
        let docs: Vec<Value> = serde_saphyr::from_multiple(text).expect("manifest is valid YAML");
        for doc in docs.into_iter().filter(Value::is_object) {
            let version = doc["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = doc["kind"].as_str().unwrap_or_default().to_string();
            let res = resources::by_kind(&version, &kind)
                .unwrap_or_else(|| panic!("unknown kind {version} {kind}"));
            let object: DynamicObject = serde_json::from_value(doc).expect("object");
            self.runtime
                .block_on(self.api(res, namespace).create(&PostParams::default(), &object))
                .unwrap_or_else(|e| panic!("creating {kind}: {e}"));
        }
    }

    /// Merge-patches an object.
    pub fn merge_patch(&self, res: &Resource, namespace: &str, name: &str, patch: &Value) {
        self.runtime
            .block_on(
                self.api(res, namespace)
                    .patch(name, &PatchParams::default(), &Patch::Merge(patch)),
            )
            .unwrap_or_else(|e| panic!("patching {name}: {e}"));
    }

    /// Deletes an object with a grace period.
    pub fn delete(&self, res: &Resource, namespace: &str, name: &str, grace: i64) {
        let params = kube::api::DeleteParams {
            grace_period_seconds: Some(grace as u32),
            ..Default::default()
        };
        self.runtime
            .block_on(self.api(res, namespace).delete(name, &params))
            .unwrap_or_else(|e| panic!("deleting {name}: {e}"));
    }

    /// Waits until the `default` service account exists (pods need it).
    fn wait_for_default_account(&self) {
        let accounts: Api<k8s_openapi::api::core::v1::ServiceAccount> =
            Api::namespaced(self.client.clone(), "default");
        let deadline = Instant::now() + Duration::from_secs(30);
        while self
            .runtime
            .block_on(accounts.get_opt("default"))
            .expect("get")
            .is_none()
        {
            assert!(Instant::now() < deadline, "no default service account");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A kubeconfig for `user` whose context's namespace is `namespace`.
    pub fn kubeconfig_in(&self, user: &str, namespace: &str) -> String {
        let text = std::fs::read_to_string(self.kubeconfig(user)).expect("kubeconfig");
        text.replace(
            "    namespace: default\n",
            &format!("    namespace: {namespace}\n"),
        )
    }
}

impl ControlPlane {
    /// Feeds the changes of the namespace's pods to the observer, from now on.
    pub(super) fn watch_pods(&self, namespace: &str, mut observer: super::Observer) {
        let (listed, wait) = std::sync::mpsc::channel();
        use futures::StreamExt;
        use kube::runtime::watcher::{self, Event};
        let pods = self.api(&resources::PODS, namespace);
        let known: std::collections::HashSet<String> = observer.state.keys().cloned().collect();
        self.runtime.spawn(async move {
            let mut known = known;
            let mut stream = std::pin::pin!(watcher::watcher(pods, watcher::Config::default()));
            while let Some(event) = stream.next().await {
                let (change, pod) = match event {
                    Ok(Event::Apply(pod) | Event::InitApply(pod)) => {
                        let name = pod.metadata.name.clone().unwrap_or_default();
                        let change = if known.insert(name) {
                            super::Change::Added
                        } else {
                            super::Change::Modified
                        };
                        (change, pod)
                    }
                    Ok(Event::Delete(pod)) => {
                        known.remove(pod.metadata.name.as_deref().unwrap_or_default());
                        (super::Change::Deleted, pod)
                    }
                    Ok(Event::InitDone) => {
                        let _ = listed.send(());
                        continue;
                    }
                    _ => continue,
                };
                observer.observe(change, &serde_json::to_value(pod).expect("json"));
            }
        });
        wait_listed(&wait, 1);
    }
}

/// The user the tool runs as.
pub const TEST_USER: &str = "test-user";

impl ControlPlane {
    /// The test user's requests so far, from the audit log, in the simulator's request-log
    /// shape; read once the log has been steady for 200 ms (the API server logs a request as it
    /// completes, just after answering it).
    pub fn audited_requests(&self) -> Vec<LoggedRequest> {
        let path = self.plane.audit_log();
        let read = || {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let mut seen = std::collections::HashMap::new();
            let mut order = Vec::new();
            for event in text
                .lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            {
                if event["user"]["username"] != TEST_USER {
                    continue;
                }
                let id = event["auditID"].as_str().unwrap_or_default().to_string();
                if seen.insert(id.clone(), logged(&event)).is_none() {
                    order.push(id);
                }
            }
            order
                .into_iter()
                .filter_map(|id| seen.remove(&id))
                .collect::<Vec<_>>()
        };
        let mut last = read();
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let now = read();
            if now == last {
                return now;
            }
            last = now;
        }
    }

    /// The API server's URL.
    pub fn server(&self) -> String {
        self.info["server"].as_str().expect("server").to_string()
    }
}

/// An audit event as the simulator's request log would have recorded the request.
fn logged(event: &Value) -> LoggedRequest {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let uri = text(&event["requestURI"]);
    let (path, query) = uri.split_once('?').unwrap_or((&uri, ""));
    let object = &event["objectRef"];
    let optional = |v: &Value| v.as_str().map(str::to_string);
    let verb = text(&event["verb"]);
    let method = match verb.as_str() {
        "create" => "POST",
        "update" => "PUT",
        "patch" => "PATCH",
        "delete" | "deletecollection" => "DELETE",
        _ => "GET",
    };
    LoggedRequest {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        verb,
        resource: text(&object["resource"]),
        subresource: optional(&object["subresource"]),
        namespace: optional(&object["namespace"]),
        name: optional(&object["name"]),
        user: text(&event["user"]["username"]),
        user_agent: text(&event["userAgent"]),
        status: event["responseStatus"]["code"].as_u64().unwrap_or(0) as u16,
        // The audit log keeps neither the HTTP version nor the connection.
        ..LoggedRequest::default()
    }
}

impl ControlPlane {
    /// Feeds `kind/name` of every object of these kinds deleted in the namespace from now on.
    pub(super) fn watch_deletions(
        &self,
        namespace: &str,
        kinds: &[&'static Resource],
        sink: super::Deletions,
    ) {
        use futures::StreamExt;
        use kube::runtime::watcher::{self, Event};
        let (listed, wait) = std::sync::mpsc::channel();
        for res in kinds {
            let (api, sink, plural, listed) =
                (self.api(res, namespace), sink.clone(), res.plural, listed.clone());
            self.runtime.spawn(async move {
                let mut stream = std::pin::pin!(watcher::watcher(api, watcher::Config::default()));
                while let Some(event) = stream.next().await {
                    match event {
                        Ok(Event::Delete(object)) => {
                            let name = object.metadata.name.unwrap_or_default();
                            sink.lock().unwrap().push(format!("{plural}/{name}"));
                        }
                        Ok(Event::InitDone) => {
                            let _ = listed.send(());
                        }
                        _ => {}
                    }
                }
            });
        }
        wait_listed(&wait, kinds.len());
    }
}

/// Waits until `count` watches have had their first list (what happens next, they see).
fn wait_listed(listed: &std::sync::mpsc::Receiver<()>, count: usize) {
    for _ in 0..count {
        listed
            .recv_timeout(Duration::from_secs(30))
            .expect("a watch lists its objects");
    }
}

impl ControlPlane {
    /// Every audit event so far (each request's last stage), for assertions on who made it.
    pub fn audit_events(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.plane.audit_log()).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|event| event["stage"] == "ResponseComplete")
            .collect()
    }

    /// A token of service account `account` of namespace `default`, which may do what the
    /// test user may (it is made, and bound, the first time); and its user name.
    pub fn service_account_token(&self, account: &str) -> (String, String) {
        use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
        use k8s_openapi::api::core::v1::ServiceAccount;
        use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
        let accounts: Api<ServiceAccount> = Api::namespaced(self.client.clone(), "default");
        let account_object: ServiceAccount =
            serde_json::from_value(serde_json::json!({"metadata": {"name": account}})).expect("account");
        let _ = self
            .runtime
            .block_on(accounts.create(&PostParams::default(), &account_object));
        for (role, suffix) in [("edit", "edit"), ("sts-test-cluster-reader", "read")] {
            let binding = serde_json::json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": format!("sts-sa-{account}-{suffix}")},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": "default"}],
            });
            let bindings: Api<ClusterRoleBinding> = Api::all(self.client.clone());
            let object: ClusterRoleBinding = serde_json::from_value(binding).expect("binding");
            let _ = self
                .runtime
                .block_on(bindings.create(&PostParams::default(), &object));
        }
        let request = TokenRequest {
            spec: Some(TokenRequestSpec {
                expiration_seconds: Some(3600),
                ..Default::default()
            }),
            ..Default::default()
        };
        let token = self
            .runtime
            .block_on(accounts.create_token_request(account, &PostParams::default(), &request))
            .expect("a token");
        let token = token.status.and_then(|s| s.token).expect("a token in the answer");
        (token, format!("system:serviceaccount:default:{account}"))
    }
}
