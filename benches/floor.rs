//! The floors the benchmark (`benches/bench`) measures the tool against: the smallest useful
//! clients built with the same crates (kube, k8s-openapi, tokio).
//! - `STS_FLOOR_NAMESPACE` and `STS_FLOOR_SELECTOR`: one list request of a set's pods, on one
//!   thread, printing how many there are (the floor of `status`).
//! - `STS_FLOOR_NAMESPACE` and `STS_FLOOR_CONTEXTS=a,b,…`: for each kubeconfig context at once
//!   (a task each, on a multi-threaded runtime), kube's own client and one list of the
//!   StatefulSets of the namespace (the floor of `list --contexts`).
//!
//! Run alone (as `cargo bench` does), it has nothing to measure and says so.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

fn main() {
    let namespace = std::env::var("STS_FLOOR_NAMESPACE");
    let outcome = match (
        namespace,
        std::env::var("STS_FLOOR_SELECTOR"),
        std::env::var("STS_FLOOR_CONTEXTS"),
    ) {
        (Ok(namespace), Ok(selector), _) => pods(&namespace, &selector).map_err(Into::into),
        (Ok(namespace), _, Ok(contexts)) => sets_of_each(&namespace, &contexts),
        _ => {
            println!("floor: the clients `benches/bench` measures the tool against; nothing to run alone");
            return;
        }
    };
    if let Err(e) = outcome {
        eprintln!("floor: {e}");
        std::process::exit(1);
    }
}

/// One list of the pods matching `selector`.
fn pods(namespace: &str, selector: &str) -> Result<(), kube::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pods = runtime.block_on(async {
        let client = kube::Client::try_default().await?;
        let api: Api<Pod> = Api::namespaced(client, namespace);
        api.list(&ListParams::default().labels(selector)).await
    })?;
    println!("{} pods", pods.items.len());
    Ok(())
}

/// One list of the StatefulSets in each context, all at once.
fn sets_of_each(namespace: &str, contexts: &str) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let kubeconfig = Kubeconfig::read()?;
        let tasks: Vec<_> = contexts
            .split(',')
            .map(|context| {
                let (kubeconfig, context, namespace) =
                    (kubeconfig.clone(), context.to_string(), namespace.to_string());
                tokio::spawn(async move {
                    let options = KubeConfigOptions {
                        context: Some(context),
                        ..Default::default()
                    };
                    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await?;
                    let api: Api<StatefulSet> = Api::namespaced(kube::Client::try_from(config)?, &namespace);
                    let sets = api.list(&ListParams::default()).await?;
                    Ok::<usize, Box<dyn std::error::Error + Send + Sync>>(sets.items.len())
                })
            })
            .collect();
        for task in tasks {
            let sets = task.await.expect("a context's task").map_err(|e| e.to_string())?;
            println!("{sets} sets");
        }
        Ok(())
    })
}
