//! Saving a set's manifest to a file before the set is deleted, so that `kubectl create -f`
//! brings it back exactly. Never overwrites a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::jiff::Timestamp;

use crate::model::set::manifest::for_create;

/// Writes `sts` (as `kubectl create -f` takes it) to a new file in `dir`, named after the set
/// and the time, and returns its path.
pub fn save_manifest(dir: &Path, sts: &StatefulSet) -> Result<PathBuf> {
    let ns = sts.metadata.namespace.as_deref().unwrap_or("default");
    let name = sts.metadata.name.as_deref().unwrap_or_default();
    let now = Timestamp::now();
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    let yaml = serde_saphyr::to_string(&for_create(sts))?;
    for attempt in 0..100 {
        let suffix = if attempt == 0 {
            String::new()
        } else {
            format!("-{attempt}")
        };
        let path = dir.join(format!("statefulset-{ns}-{name}-{stamp}{suffix}.yaml"));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path);
        match file {
            Ok(mut file) => {
                let header = format!(
                    "# statefulset {ns}/{name} as it was at {now}, saved by kubectl-sts\n\
                     # restore: kubectl create -f {}\n",
                    path.display()
                );
                file.write_all(header.as_bytes())?;
                file.write_all(yaml.as_bytes())?;
                file.sync_all()?;
                return Ok(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => {
                return Err(anyhow!(
                    "cannot save the manifest of statefulset {ns}/{name} to {}: {err}; nothing was changed (choose another --backup-dir)",
                    path.display()
                ));
            }
        }
    }
    Err(anyhow!(
        "cannot find a free file name in {} for the manifest",
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_manifest_reads_back_as_the_same_set_and_is_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("kubectl-sts-backup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let set: StatefulSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "nginx",
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}},
            "status": {"replicas": 3}
        }))
        .unwrap();
        let first = save_manifest(&dir, &set).unwrap();
        let second = save_manifest(&dir, &set).unwrap();
        assert_ne!(first, second);
        let text = std::fs::read_to_string(&first).unwrap();
        assert!(
            text.contains("kind: StatefulSet") && text.contains("apiVersion: apps/v1"),
            "{text}"
        );
        let back: StatefulSet = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(back.spec, set.spec);
        assert!(back.metadata.uid.is_none() && back.status.is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
