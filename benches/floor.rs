//! The floor `status` is measured against (see `benches/bench`): the smallest useful client
//! built with the same crates (kube, k8s-openapi, tokio on one thread), which makes a single
//! list request of a set's pods and prints how many there are. Run alone (as `cargo bench`
//! does), it has nothing to measure and says so.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

fn main() {
    let (Ok(namespace), Ok(selector)) = (
        std::env::var("STS_FLOOR_NAMESPACE"),
        std::env::var("STS_FLOOR_SELECTOR"),
    ) else {
        println!(
            "floor: the single-list client `benches/bench` measures `status` against; nothing to run alone"
        );
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pods = runtime.block_on(async {
        let client = kube::Client::try_default().await?;
        let api: Api<Pod> = Api::namespaced(client, &namespace);
        api.list(&ListParams::default().labels(&selector)).await
    });
    match pods {
        Ok(pods) => println!("{} pods", pods.items.len()),
        Err(e) => {
            eprintln!("floor: {e}");
            std::process::exit(1);
        }
    }
}
