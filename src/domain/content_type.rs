//! Content types: the shape of an entry's fields, and the check that a variant's fields fit it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::input;

pub mod change;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldKind {
    Text,
    RichText,
    Number,
    Boolean,
    Asset,
    Url,
    Datetime,
    Json,
}

impl FieldKind {
    pub fn is_text(self) -> bool {
        matches!(self, FieldKind::Text | FieldKind::RichText)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDef {
    pub name: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub max_length: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContentType {
    pub id: String,
    pub brand_id: String,
    pub name: String,
    pub fields: Vec<FieldDef>,
    /// Starts at 1; grows by one with every change (`content::model_changes`).
    pub version: i32,
}

/// Why a set of field values does not fit a content type; `field` names the culprit.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "field `{}`: {}", self.field, self.message)
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

/// Checks a content type's definition: a name, at least one field, unique identifier names.
pub fn check_definition(name: &str, fields: &[FieldDef]) -> Result<(), String> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err("a content type needs a name of 1 to 100 characters".into());
    }
    if fields.is_empty() {
        return Err("a content type needs at least one field".into());
    }
    if fields.len() > 100 {
        return Err("a content type may have at most 100 fields".into());
    }
    for (i, field) in fields.iter().enumerate() {
        if !is_identifier(&field.name) {
            return Err(format!(
                "field name `{}` must start with a letter and hold only letters, digits and _",
                field.name
            ));
        }
        if fields[..i].iter().any(|f| f.name == field.name) {
            return Err(format!("field `{}` is defined twice", field.name));
        }
        if field.max_length.is_some_and(|n| n < 1) {
            return Err(format!(
                "field `{}`: maxLength must be at least 1",
                field.name
            ));
        }
    }
    Ok(())
}

impl ContentType {
    /// Checks that `value` is an object whose fields fit this type.
    pub fn check_fields(&self, value: &Value) -> Result<(), FieldError> {
        let object = value.as_object().ok_or_else(|| FieldError {
            field: "fields".into(),
            message: "must be a JSON object".into(),
        })?;
        if let Some(unknown) = object
            .keys()
            .find(|k| !self.fields.iter().any(|f| &f.name == *k))
        {
            return Err(FieldError {
                field: unknown.clone(),
                message: format!("is not a field of {}", self.name),
            });
        }
        for (name, value) in object {
            check_bounds(name, value)?;
        }
        for def in &self.fields {
            check_field(def, object)?;
        }
        Ok(())
    }
}

/// Depth and text bounds every field value must keep, whatever its kind (see `domain::input`).
fn check_bounds(name: &str, value: &Value) -> Result<(), FieldError> {
    let err = |message: String| FieldError {
        field: name.to_string(),
        message,
    };
    if input::too_deep(value) {
        return Err(err(format!(
            "nests deeper than {} levels",
            input::MAX_DEPTH
        )));
    }
    if input::control_character_in(value).is_some() {
        return Err(err(
            "holds a control character (only tab, line feed and carriage return are allowed)"
                .into(),
        ));
    }
    Ok(())
}

fn check_field(def: &FieldDef, object: &Map<String, Value>) -> Result<(), FieldError> {
    let err = |message: String| FieldError {
        field: def.name.clone(),
        message,
    };
    let value = match object.get(&def.name) {
        None | Some(Value::Null) if def.required => return Err(err("is required".into())),
        None | Some(Value::Null) => return Ok(()),
        Some(v) => v,
    };
    let text = || {
        value
            .as_str()
            .ok_or_else(|| err(format!("must be a string ({:?})", def.kind)))
    };
    match def.kind {
        FieldKind::Text | FieldKind::RichText | FieldKind::Asset => {
            let s = text()?;
            if def.required && s.trim().is_empty() {
                return Err(err("is required".into()));
            }
        }
        FieldKind::Url => {
            let s = text()?;
            let parsed =
                url::Url::parse(s).map_err(|_| err(format!("`{s}` is not an absolute URL")))?;
            if !matches!(parsed.scheme(), "http" | "https" | "mailto" | "tel") {
                return Err(err(format!(
                    "URL scheme `{}` is not allowed",
                    parsed.scheme()
                )));
            }
        }
        FieldKind::Datetime => {
            let s = text()?;
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| err(format!("`{s}` is not an RFC 3339 date-time")))?;
        }
        FieldKind::Number if !value.is_number() => return Err(err("must be a number".into())),
        FieldKind::Boolean if !value.is_boolean() => {
            return Err(err("must be true or false".into()))
        }
        _ => {}
    }
    if let (Some(max), Some(s)) = (def.max_length, value.as_str()) {
        let len = s.chars().count();
        if len > max as usize {
            return Err(err(format!(
                "is {len} characters long; at most {max} allowed"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hero() -> ContentType {
        ContentType {
            id: "ct".into(),
            brand_id: "b".into(),
            name: "Hero".into(),
            fields: vec![
                FieldDef {
                    name: "title".into(),
                    kind: FieldKind::Text,
                    required: true,
                    max_length: Some(10),
                },
                FieldDef {
                    name: "link".into(),
                    kind: FieldKind::Url,
                    required: false,
                    max_length: None,
                },
                FieldDef {
                    name: "rank".into(),
                    kind: FieldKind::Number,
                    required: false,
                    max_length: None,
                },
            ],
            version: 1,
        }
    }

    #[test]
    fn fitting_fields_pass() {
        assert!(hero()
            .check_fields(&json!({"title": "Powder", "link": "https://x.test/a", "rank": 2}))
            .is_ok());
    }

    #[test]
    fn each_misfit_names_its_field() {
        let t = hero();
        assert_eq!(
            t.check_fields(&json!({"rank": 1})).unwrap_err().field,
            "title"
        );
        assert_eq!(
            t.check_fields(&json!({"title": "x", "colour": 1}))
                .unwrap_err()
                .field,
            "colour"
        );
        assert_eq!(
            t.check_fields(&json!({"title": "x", "rank": "2"}))
                .unwrap_err()
                .field,
            "rank"
        );
        assert_eq!(
            t.check_fields(&json!({"title": "far too long a title"}))
                .unwrap_err()
                .field,
            "title"
        );
        assert_eq!(
            t.check_fields(&json!({"title": "x", "link": "javascript:alert(1)"}))
                .unwrap_err()
                .field,
            "link"
        );
        assert_eq!(t.check_fields(&json!([1])).unwrap_err().field, "fields");
    }

    #[test]
    fn duplicate_field_names_are_refused() {
        let f = FieldDef {
            name: "a".into(),
            kind: FieldKind::Text,
            required: false,
            max_length: None,
        };
        assert!(check_definition("T", &[f.clone(), f]).is_err());
    }

    #[test]
    fn deep_or_control_character_values_are_refused_naming_the_field() {
        let mut t = hero();
        t.fields.push(FieldDef {
            name: "data".into(),
            kind: FieldKind::Json,
            required: false,
            max_length: None,
        });
        let mut deep = json!(1);
        for _ in 0..65 {
            deep = json!({ "k": deep });
        }
        let err = t
            .check_fields(&json!({"title": "T", "data": deep}))
            .unwrap_err();
        assert_eq!(err.field, "data");
        assert!(err.message.contains("deeper than 64"), "{}", err.message);
        let err = t.check_fields(&json!({"title": "a\u{0}b"})).unwrap_err();
        assert_eq!(err.field, "title");
        let err = t
            .check_fields(&json!({"title": "T", "data": {"x": ["\u{1b}"]}}))
            .unwrap_err();
        assert_eq!(err.field, "data");
        assert!(t
            .check_fields(&json!({"title": "T", "data": {"x": "a\tb\nc"}}))
            .is_ok());
    }
}
