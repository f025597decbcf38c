//! Label selectors (the `labelSelector` query string and `LabelSelector` objects) and field
//! selectors, with the semantics of apimachinery's `labels` and `fields` packages.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Eq,
    NotEq,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Debug, Clone, PartialEq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
    /// A `LabelSelector` object that is null selects nothing (as for a PDB with no selector).
    matches_nothing: bool,
}

impl LabelSelector {
    /// Parses `app=web,tier!=db,env in (a,b),!legacy,release`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut requirements = Vec::new();
        for term in split_terms(text) {
            let term = term.trim();
            if term.is_empty() {
                continue;
            }
            requirements.push(parse_term(term)?);
        }
        Ok(LabelSelector {
            requirements,
            matches_nothing: false,
        })
    }

    /// From a `LabelSelector` object (`matchLabels`, `matchExpressions`); `null` selects nothing.
    pub fn from_object(selector: Option<&Value>) -> Self {
        let Some(selector) = selector.filter(|s| !s.is_null()) else {
            return LabelSelector {
                requirements: Vec::new(),
                matches_nothing: true,
            };
        };
        let mut requirements = Vec::new();
        if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in labels {
                requirements.push(Requirement {
                    key: k.clone(),
                    op: Op::Eq,
                    values: vec![v.as_str().unwrap_or_default().to_string()],
                });
            }
        }
        for expr in selector
            .get("matchExpressions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let op = match expr.get("operator").and_then(Value::as_str) {
                Some("In") => Op::In,
                Some("NotIn") => Op::NotIn,
                Some("Exists") => Op::Exists,
                Some("DoesNotExist") => Op::DoesNotExist,
                _ => continue,
            };
            let values = expr
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let key = expr
                .get("key")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            requirements.push(Requirement { key, op, values });
        }
        LabelSelector {
            requirements,
            matches_nothing: false,
        }
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches_object(&self, obj: &Value) -> bool {
        let empty = Map::new();
        let labels = obj
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        self.matches(labels)
    }

    /// Whether a label map satisfies every requirement.
    pub fn matches(&self, labels: &Map<String, Value>) -> bool {
        if self.matches_nothing {
            return false;
        }
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key).and_then(Value::as_str);
            match r.op {
                Op::Eq | Op::In => value.is_some_and(|v| r.values.iter().any(|w| w == v)),
                Op::NotEq | Op::NotIn => value.is_none_or(|v| r.values.iter().all(|w| w != v)),
                Op::Exists => value.is_some(),
                Op::DoesNotExist => value.is_none(),
            }
        })
    }

    /// True for the selector that matches every object.
    pub fn is_everything(&self) -> bool {
        !self.matches_nothing && self.requirements.is_empty()
    }
}

/// Splits on commas that are not inside parentheses.
fn split_terms(text: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&text[start..]);
    terms
}

fn parse_term(term: &str) -> Result<Requirement, String> {
    let invalid = || format!("unable to parse requirement: invalid label selector term {term:?}");
    if let Some(key) = term.strip_prefix('!') {
        return Ok(Requirement {
            key: key.trim().to_string(),
            op: Op::DoesNotExist,
            values: vec![],
        });
    }
    for (token, op) in [("!=", Op::NotEq), ("==", Op::Eq), ("=", Op::Eq)] {
        if let Some((k, v)) = term.split_once(token) {
            return Ok(Requirement {
                key: k.trim().to_string(),
                op,
                values: vec![v.trim().to_string()],
            });
        }
    }
    for (token, op) in [(" notin ", Op::NotIn), (" in ", Op::In)] {
        if let Some((k, v)) = term.split_once(token) {
            let v = v.trim();
            let inner = v
                .strip_prefix('(')
                .and_then(|v| v.strip_suffix(')'))
                .ok_or_else(invalid)?;
            let values = inner
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            return Ok(Requirement {
                key: k.trim().to_string(),
                op,
                values,
            });
        }
    }
    if term.contains(char::is_whitespace) || term.contains(['(', ')']) {
        return Err(invalid());
    }
    Ok(Requirement {
        key: term.to_string(),
        op: Op::Exists,
        values: vec![],
    })
}

/// A parsed field selector: `metadata.name=web-0,status.phase!=Running`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector {
    terms: Vec<(String, bool, String)>,
}

impl FieldSelector {
    /// Parses `field=value` and `field!=value` terms joined by commas.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut terms = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, true, v)
            } else {
                return Err(format!("invalid selector: '{text}'; can't understand '{term}'"));
            };
            terms.push((field.trim().to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector { terms })
    }

    /// Whether the object's fields (as strings; a missing field is "") satisfy every term.
    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|(field, equal, value)| {
            let pointer = format!("/{}", field.replace('.', "/"));
            let actual = match obj.pointer(&pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (actual == *value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({"metadata": {"name": "web-0", "labels": labels}, "status": {"phase": "Running"}})
    }

    #[test]
    fn label_selector_string_forms() {
        let obj = pod(json!({"app": "nginx", "tier": "web"}));
        for (text, expected) in [
            ("", true),
            ("app=nginx", true),
            ("app==nginx,tier=web", true),
            ("app!=nginx", false),
            ("app in (nginx, zk)", true),
            ("app notin (nginx)", false),
            ("tier", true),
            ("!tier", false),
            ("missing", false),
            ("!missing", true),
        ] {
            assert_eq!(
                LabelSelector::parse(text).unwrap().matches_object(&obj),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn label_selector_objects() {
        let obj = pod(json!({"app": "zk"}));
        let sel = json!({"matchLabels": {"app": "zk"}, "matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]});
        assert!(LabelSelector::from_object(Some(&sel)).matches_object(&obj));
        assert!(LabelSelector::from_object(Some(&json!({}))).matches_object(&obj));
        assert!(!LabelSelector::from_object(None).matches_object(&obj));
    }

    #[test]
    fn field_selectors() {
        let obj = pod(json!({}));
        assert!(FieldSelector::parse("metadata.name=web-0").unwrap().matches(&obj));
        assert!(
            !FieldSelector::parse("metadata.name!=web-0")
                .unwrap()
                .matches(&obj)
        );
        assert!(
            FieldSelector::parse("status.phase=Running,metadata.name=web-0")
                .unwrap()
                .matches(&obj)
        );
        assert!(FieldSelector::parse("nonsense").is_err());
    }
}
