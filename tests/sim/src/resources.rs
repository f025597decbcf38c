//! The resource kinds the simulated API server serves: group, version, plural, kind, scope.
//! Pure data; no behaviour lives here.

/// One served resource type.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Resource {
    /// API group, empty for the core group.
    pub group: &'static str,
    pub version: &'static str,
    /// Lower-case plural used in URLs (`statefulsets`).
    pub plural: &'static str,
    /// Kind (`StatefulSet`).
    pub kind: &'static str,
    pub namespaced: bool,
    /// Whether the resource has a `/status` subresource (status is ignored on main writes).
    pub has_status: bool,
    /// Whether `metadata.generation` is maintained (rises on every spec change).
    pub has_generation: bool,
}

impl Resource {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `statefulsets.apps`, or `pods` for the core group (as used in Status messages).
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `StatefulSet.apps`, or `Pod` for the core group (as used in Invalid messages).
    pub fn qualified_kind(&self) -> String {
        if self.group.is_empty() {
            self.kind.to_string()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }
}

macro_rules! resource {
    ($group:expr, $version:expr, $plural:expr, $kind:expr, $namespaced:expr, $status:expr, $generation:expr) => {
        Resource {
            group: $group,
            version: $version,
            plural: $plural,
            kind: $kind,
            namespaced: $namespaced,
            has_status: $status,
            has_generation: $generation,
        }
    };
}

pub static NAMESPACES: Resource = resource!("", "v1", "namespaces", "Namespace", false, true, false);
pub static PODS: Resource = resource!("", "v1", "pods", "Pod", true, true, true);
pub static SERVICES: Resource = resource!("", "v1", "services", "Service", true, true, false);
pub static CONFIG_MAPS: Resource = resource!("", "v1", "configmaps", "ConfigMap", true, false, false);
pub static PVCS: Resource = resource!(
    "",
    "v1",
    "persistentvolumeclaims",
    "PersistentVolumeClaim",
    true,
    true,
    false
);
pub static PVS: Resource = resource!(
    "",
    "v1",
    "persistentvolumes",
    "PersistentVolume",
    false,
    true,
    false
);
pub static EVENTS: Resource = resource!("", "v1", "events", "Event", true, false, false);
pub static ENDPOINT_SLICES: Resource = resource!(
    "discovery.k8s.io",
    "v1",
    "endpointslices",
    "EndpointSlice",
    true,
    false,
    true
);
pub static STORAGE_CLASSES: Resource = resource!(
    "storage.k8s.io",
    "v1",
    "storageclasses",
    "StorageClass",
    false,
    false,
    false
);
pub static STATEFULSETS: Resource = resource!("apps", "v1", "statefulsets", "StatefulSet", true, true, true);
pub static CONTROLLER_REVISIONS: Resource = resource!(
    "apps",
    "v1",
    "controllerrevisions",
    "ControllerRevision",
    true,
    false,
    false
);
pub static PDBS: Resource = resource!(
    "policy",
    "v1",
    "poddisruptionbudgets",
    "PodDisruptionBudget",
    true,
    true,
    true
);

pub static RESOURCE_QUOTAS: Resource =
    resource!("", "v1", "resourcequotas", "ResourceQuota", true, true, false);

pub static NODES: Resource = resource!("", "v1", "nodes", "Node", false, true, false);
pub static LEASES: Resource = resource!("coordination.k8s.io", "v1", "leases", "Lease", true, false, false);
pub static VOLUME_ATTACHMENTS: Resource = resource!(
    "storage.k8s.io",
    "v1",
    "volumeattachments",
    "VolumeAttachment",
    false,
    true,
    false
);

/// Every served resource.
pub static ALL: [&Resource; 16] = [
    &NAMESPACES,
    &PODS,
    &SERVICES,
    &CONFIG_MAPS,
    &PVCS,
    &PVS,
    &EVENTS,
    &ENDPOINT_SLICES,
    &STORAGE_CLASSES,
    &STATEFULSETS,
    &CONTROLLER_REVISIONS,
    &PDBS,
    &RESOURCE_QUOTAS,
    &NODES,
    &LEASES,
    &VOLUME_ATTACHMENTS,
];

/// The resource served at `/{api|apis/group}/{version}/.../{plural}`.
pub fn by_plural(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    ALL.iter()
        .copied()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The resource of an object's `apiVersion` and `kind` (used by `--apply` and ownerReferences).
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static Resource> {
    ALL.iter()
        .copied()
        .find(|r| r.api_version() == api_version && r.kind == kind)
}
