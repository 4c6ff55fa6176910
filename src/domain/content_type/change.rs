//! Model changes: a content type's new field list, the renames that go with it, and what a
//! stored revision reads like afterwards.
//!
//! Revisions are immutable, so a rename is not written into them: it is logged on the content
//! type ([`LoggedRename`], with when it happened) and applied whenever a revision made before it
//! is read ([`apply_renames`]), which `store::variants` does for every read — delivery, editors,
//! search and diffs all see the new name. Whether a change would break a variant is checked by
//! `content::model_changes` with [`renamed_fields`] and the new type's `check_fields`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::FieldDef;

/// `from` is called `to` from now on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRename {
    pub from: String,
    pub to: String,
}

/// A rename as the content type keeps it: revisions made before `at` read `from` as `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedRename {
    pub from: String,
    pub to: String,
    pub at: DateTime<Utc>,
}

/// Renames `fields` (a revision's, made at `created_at`) as every later rename of `log` says,
/// oldest rename first. A name already taken in the object is left alone.
pub fn apply_renames(fields: &mut Value, created_at: DateTime<Utc>, log: &[LoggedRename]) {
    let Value::Object(object) = fields else {
        return;
    };
    for rename in log.iter().filter(|r| r.at > created_at) {
        if object.contains_key(&rename.to) {
            continue;
        }
        if let Some(value) = object.remove(&rename.from) {
            object.insert(rename.to.clone(), value);
        }
    }
}

/// `fields` of a revision as they read under the current names plus `renames` (applied now).
pub fn renamed_fields(fields: &Value, renames: &[FieldRename]) -> Value {
    let mut out = fields.clone();
    if let Value::Object(object) = &mut out {
        let moved: Vec<(String, Value)> = renames
            .iter()
            .filter_map(|r| object.remove(&r.from).map(|v| (r.to.clone(), v)))
            .collect();
        object.extend(moved);
    }
    out
}

/// Why a rename is refused; `index` is its place in `renames`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenameError {
    #[error("renames[{index}].from: `{name}` is not a field of the content type")]
    UnknownFrom { index: usize, name: String },
    #[error("renames[{index}].to: `{name}` is not one of the new fields")]
    UnknownTo { index: usize, name: String },
    #[error("renames[{index}]: `{name}` is renamed to itself")]
    ToItself { index: usize, name: String },
    #[error("renames[{index}]: `{name}` is renamed twice")]
    Twice { index: usize, name: String },
    #[error("renames[{index}].to: `{name}` is already a field")]
    Taken { index: usize, name: String },
}

/// Checks the renames against the old and new field lists: each `from` an old field renamed
/// once, each `to` a new field given once, and no `to` an old field that stays.
pub fn check_renames(
    old: &[FieldDef],
    new: &[FieldDef],
    renames: &[FieldRename],
) -> Result<(), RenameError> {
    let has = |list: &[FieldDef], name: &str| list.iter().any(|f| f.name == name);
    for (index, rename) in renames.iter().enumerate() {
        if !has(old, &rename.from) {
            return Err(RenameError::UnknownFrom {
                index,
                name: rename.from.clone(),
            });
        }
        if !has(new, &rename.to) {
            return Err(RenameError::UnknownTo {
                index,
                name: rename.to.clone(),
            });
        }
        if rename.from == rename.to {
            return Err(RenameError::ToItself {
                index,
                name: rename.from.clone(),
            });
        }
        let earlier = &renames[..index];
        if earlier
            .iter()
            .any(|r| r.from == rename.from || r.to == rename.to)
        {
            return Err(RenameError::Twice {
                index,
                name: rename.from.clone(),
            });
        }
        let stays = has(old, &rename.to) && !renames.iter().any(|r| r.from == rename.to);
        if stays {
            return Err(RenameError::Taken {
                index,
                name: rename.to.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::content_type::FieldKind;
    use serde_json::json;

    fn text(name: &str) -> FieldDef {
        FieldDef::new(name, FieldKind::Text)
    }

    fn rename(from: &str, to: &str) -> FieldRename {
        FieldRename {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn only_revisions_made_before_a_rename_are_renamed_on_read() {
        let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
        let log = vec![LoggedRename {
            from: "titel".into(),
            to: "title".into(),
            at: at(100),
        }];
        let mut old = json!({"titel": "Hi", "cta": "Go"});
        apply_renames(&mut old, at(50), &log);
        assert_eq!(old, json!({"title": "Hi", "cta": "Go"}));
        let mut new = json!({"title": "Hi"});
        apply_renames(&mut new, at(150), &log);
        assert_eq!(new, json!({"title": "Hi"}));
    }

    #[test]
    fn renames_must_name_old_and_new_fields_once() {
        let old = [text("titel"), text("cta")];
        let new = [text("title"), text("cta")];
        assert!(check_renames(&old, &new, &[rename("titel", "title")]).is_ok());
        assert!(check_renames(&old, &new, &[rename("nope", "title")]).is_err());
        assert!(check_renames(&old, &new, &[rename("titel", "nope")]).is_err());
        assert!(check_renames(&old, &new, &[rename("titel", "cta")]).is_err());
        let both = [text("title"), text("cta"), text("x")];
        let twice = [rename("titel", "title"), rename("titel", "x")];
        assert!(check_renames(&old, &both, &twice).is_err());
        let swap = [rename("titel", "cta"), rename("cta", "title")];
        assert!(check_renames(&old, &new, &swap).is_ok());
        assert_eq!(
            renamed_fields(&json!({"titel": 1, "cta": 2}), &swap),
            json!({"cta": 1, "title": 2})
        );
    }
}
