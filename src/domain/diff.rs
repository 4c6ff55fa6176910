//! Field-level differences between two revisions of a variant, for reviewers and the admin UI.
//!
//! Both revisions are compared as canonical JSON (see [`VariantContent::canonical_json`]):
//! objects are walked key by key, so a change inside `fields` is reported as `fields.title`;
//! arrays and scalars are compared whole, so a changed rule or tag list is one change.

use serde_json::Value;

use super::input::MAX_DEPTH;
use super::variant::VariantContent;

/// One changed path, with the value before and after (`None` where the path did not exist).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// What changed from `from` to `to`, in path order.
pub fn diff(from: &VariantContent, to: &VariantContent) -> Vec<Change> {
    let mut changes = Vec::new();
    walk(
        "",
        Some(&from.canonical_json()),
        Some(&to.canonical_json()),
        0,
        &mut changes,
    );
    changes
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Objects are walked key by key down to [`MAX_DEPTH`] levels; deeper ones are compared whole.
fn walk(path: &str, old: Option<&Value>, new: Option<&Value>, depth: usize, out: &mut Vec<Change>) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) if depth < MAX_DEPTH => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                walk(&join(path, key), a.get(key), b.get(key), depth + 1, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Change {
            path: path.to_string(),
            old: a.cloned(),
            new: b.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn content(fields: Value, tags: &[&str]) -> VariantContent {
        VariantContent {
            name: "v".into(),
            fields,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            rule: None,
            devices: vec![],
            locale: None,
            priority: 0,
            starts_at: None,
            ends_at: None,
        }
    }

    #[test]
    fn changes_inside_fields_are_reported_by_path() {
        let a = content(json!({"title": "Old", "body": "Same"}), &["x"]);
        let b = content(
            json!({"title": "New", "body": "Same", "cta": "Go"}),
            &["x", "y"],
        );
        let changes = diff(&a, &b);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["fields.cta", "fields.title", "tags"]);
        assert_eq!(changes[0].old, None);
        assert_eq!(changes[1].new, Some(json!("New")));
    }

    #[test]
    fn identical_revisions_have_no_changes() {
        let a = content(json!({"title": "Same"}), &[]);
        assert!(diff(&a, &a.clone()).is_empty());
    }
}
