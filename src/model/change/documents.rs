//! The objects of a manifest as `helm template`, `kustomize build` or a repository hold it:
//! multi-document YAML or JSON (a `List` is opened into its items), each object with where it
//! came from, so that errors name the file and the document. Pure: files are read by the
//! command.

use serde_json::Value;

use crate::model::refusal::Refusal;

/// One object of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The file it was read from (`-` for stdin) and its place there, from 1.
    pub source: String,
    pub index: usize,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace`, when the manifest names one.
    pub namespace: Option<String>,
    pub object: Value,
}

impl Document {
    /// `web.yaml, document 2`.
    pub fn origin(&self) -> String {
        format!("{}, document {}", self.source, self.index)
    }

    /// `web.yaml, document 2 (StatefulSet web)`.
    pub fn place(&self) -> String {
        format!("{} ({} {})", self.origin(), self.kind, self.name)
    }

    pub fn is_statefulset(&self) -> bool {
        self.kind == "StatefulSet"
            && self.object["apiVersion"]
                .as_str()
                .is_some_and(|v| v.starts_with("apps/"))
    }
}

/// Every object of `text`, read from `source`; the first problem as one line naming the file
/// and the document (and the line and column, for a YAML error).
pub fn parse(source: &str, text: &str) -> Result<Vec<Document>, Refusal> {
    let values: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| {
        Refusal::input(format!(
            "{source} is not valid YAML or JSON: {}",
            first_line(&e.to_string())
        ))
    })?;
    let mut documents = Vec::new();
    for (position, value) in values.into_iter().enumerate() {
        let index = position + 1;
        if value.is_null() {
            continue;
        }
        let Some(map) = value.as_object() else {
            return Err(Refusal::input(format!(
                "{source}, document {index}: not an object (a Kubernetes manifest is a map with apiVersion and kind)"
            )));
        };
        let Some(kind) = map.get("kind").and_then(Value::as_str).map(str::to_string) else {
            return Err(Refusal::input(format!(
                "{source}, document {index}: no kind (every object needs apiVersion and kind)"
            )));
        };
        if kind.ends_with("List") {
            for item in value["items"].as_array().into_iter().flatten() {
                documents.push(document(source, index, item.clone())?);
            }
            continue;
        }
        documents.push(document(source, index, value)?);
    }
    Ok(documents)
}

/// The first line of a parser's message (the line and column, and what is wrong), without the
/// snippet it draws below.
fn first_line(message: &str) -> &str {
    let line = message.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line)
}

fn document(source: &str, index: usize, object: Value) -> Result<Document, Refusal> {
    let kind = object["kind"].as_str().unwrap_or_default().to_string();
    let Some(name) = object["metadata"]["name"].as_str().map(str::to_string) else {
        return Err(Refusal::input(format!(
            "{source}, document {index}: {kind} without metadata.name"
        )));
    };
    Ok(Document {
        source: source.to_string(),
        index,
        kind,
        name,
        namespace: object["metadata"]["namespace"].as_str().map(str::to_string),
        object,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_documents_and_lists_are_read_with_their_places() {
        let text = "# a comment\n---\napiVersion: v1\nkind: Service\nmetadata: {name: nginx}\n---\n---\n\
                    apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web, namespace: shop}\nspec: {}\n\
                    ---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: conf}}\n";
        let docs = parse("app.yaml", text).unwrap();
        let summary: Vec<(String, String, bool)> = docs
            .iter()
            .map(|d| (d.kind.clone(), d.name.clone(), d.is_statefulset()))
            .collect();
        assert_eq!(
            summary,
            [
                ("Service".into(), "nginx".into(), false),
                ("StatefulSet".into(), "web".into(), true),
                ("ConfigMap".into(), "conf".into(), false)
            ]
        );
        assert_eq!(docs[1].namespace.as_deref(), Some("shop"));
        assert!(
            docs[1].place().starts_with("app.yaml, document "),
            "{}",
            docs[1].place()
        );
    }

    #[test]
    fn json_is_yaml_too() {
        let docs = parse(
            "-",
            r#"{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"}}"#,
        )
        .unwrap();
        assert_eq!(docs[0].name, "db");
        assert_eq!(docs[0].source, "-");
    }

    #[test]
    fn bad_input_is_one_line_naming_the_place() {
        let broken = parse("app.yaml", "kind: StatefulSet\nmetadata:\n  name: [web\n")
            .unwrap_err()
            .reason;
        assert!(
            broken.starts_with("app.yaml is not valid YAML or JSON: "),
            "{broken}"
        );
        assert_eq!(
            broken,
            "app.yaml is not valid YAML or JSON: line 3 column 9: unclosed bracket '['"
        );
        let kindless = parse("app.yaml", "apiVersion: v1\nmetadata: {name: x}\n")
            .unwrap_err()
            .reason;
        assert_eq!(
            kindless,
            "app.yaml, document 1: no kind (every object needs apiVersion and kind)"
        );
        let nameless = parse("app.yaml", "apiVersion: v1\nkind: Service\n")
            .unwrap_err()
            .reason;
        assert_eq!(nameless, "app.yaml, document 1: Service without metadata.name");
    }
}
