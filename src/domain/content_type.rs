//! Content types: the shape of an entry's fields, and the check that a variant's fields fit it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::input;

pub mod change;
mod faults;

pub use faults::{DefinitionError, FieldError, ValueError};

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
    /// An entry key of the same brand (see [`FieldDef::to`]).
    Reference,
}

impl FieldKind {
    pub fn is_text(self) -> bool {
        matches!(self, FieldKind::Text | FieldKind::RichText)
    }
}

/// The most content types one REFERENCE field's `to` may name.
pub const MAX_REFERENCE_TARGETS: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDef {
    pub name: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    /// Text length; for a list, the most elements it may hold.
    #[serde(default)]
    pub max_length: Option<i32>,
    /// REFERENCE only: the names of the content types it may point to (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    /// Whether the value is an array of the kind.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
}

impl FieldDef {
    /// A single (non-list) field of `kind`, optional, without bounds.
    pub fn new(name: impl Into<String>, kind: FieldKind) -> FieldDef {
        FieldDef {
            name: name.into(),
            kind,
            required: false,
            max_length: None,
            to: Vec::new(),
            list: false,
        }
    }

    /// The field's values in `fields`, with their position: the value itself at 0 for a single
    /// field, each element for a list. Nothing when the field is unset or null.
    pub fn values<'a>(&self, fields: &'a Value) -> impl Iterator<Item = (usize, &'a Value)> + 'a {
        let value = fields.get(&self.name).filter(|v| !v.is_null());
        let (single, list) = match value {
            Some(Value::Array(items)) if self.list => (None, items.as_slice()),
            other => (other.filter(|_| !self.list), &[][..]),
        };
        single
            .into_iter()
            .map(|v| (0, v))
            .chain(list.iter().enumerate())
    }
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

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

/// Checks a content type's definition: a name, at least one field, unique identifier names.
pub fn check_definition(name: &str, fields: &[FieldDef]) -> Result<(), DefinitionError> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err(DefinitionError::Name);
    }
    if fields.is_empty() {
        return Err(DefinitionError::NoFields);
    }
    if fields.len() > 100 {
        return Err(DefinitionError::TooManyFields);
    }
    for (i, field) in fields.iter().enumerate() {
        let named = || field.name.clone();
        if !is_identifier(&field.name) {
            return Err(DefinitionError::FieldName(named()));
        }
        if fields[..i].iter().any(|f| f.name == field.name) {
            return Err(DefinitionError::Duplicate(named()));
        }
        if field.max_length.is_some_and(|n| n < 1) {
            return Err(DefinitionError::MaxLength(named()));
        }
        check_targets(field)?;
    }
    Ok(())
}

/// `to` belongs to REFERENCE fields only, and names each content type once.
fn check_targets(field: &FieldDef) -> Result<(), DefinitionError> {
    if field.to.is_empty() {
        return Ok(());
    }
    if field.kind != FieldKind::Reference {
        return Err(DefinitionError::TargetsOnOtherKind(field.name.clone()));
    }
    if field.to.len() > MAX_REFERENCE_TARGETS {
        return Err(DefinitionError::TooManyTargets(field.name.clone()));
    }
    for (i, target) in field.to.iter().enumerate() {
        if target.trim().is_empty() || field.to[..i].contains(target) {
            return Err(DefinitionError::Target {
                field: field.name.clone(),
                target: target.clone(),
            });
        }
    }
    Ok(())
}

impl ContentType {
    /// Checks that `value` is an object whose fields fit this type.
    pub fn check_fields(&self, value: &Value) -> Result<(), FieldError> {
        let object = value
            .as_object()
            .ok_or_else(|| FieldError::new("fields", "must be a JSON object"))?;
        if let Some(unknown) = object
            .keys()
            .find(|k| !self.fields.iter().any(|f| &f.name == *k))
        {
            return Err(FieldError::new(
                unknown.clone(),
                format!("is not a field of {}", self.name),
            ));
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
    let err = |message: String| FieldError::new(name, message);
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
    let value = match object.get(&def.name) {
        None | Some(Value::Null) if def.required => {
            return Err(FieldError::new(&def.name, "is required"))
        }
        None | Some(Value::Null) => return Ok(()),
        Some(v) => v,
    };
    if !def.list {
        return check_value(def, value, def.max_length)
            .map_err(|e| FieldError::new(&def.name, e.to_string()));
    }
    let items = value
        .as_array()
        .ok_or_else(|| FieldError::new(&def.name, format!("must be a list of {:?}", def.kind)))?;
    if def.required && items.is_empty() {
        return Err(FieldError::new(&def.name, "is required (an empty list)"));
    }
    if let Some(max) = def.max_length.filter(|max| items.len() > *max as usize) {
        return Err(FieldError::at(
            &def.name,
            max as usize,
            format!(
                "the list holds {} items; at most {max} allowed",
                items.len()
            ),
        ));
    }
    for (index, item) in items.iter().enumerate() {
        check_value(def, item, None)
            .map_err(|e| FieldError::at(&def.name, index, e.to_string()))?;
    }
    Ok(())
}

/// Checks one value (a single field's, or one element of a list) against the field's kind;
/// `max_length` bounds its text.
fn check_value(def: &FieldDef, value: &Value, max_length: Option<i32>) -> Result<(), ValueError> {
    let text = || value.as_str().ok_or(ValueError::NotAString(def.kind));
    match def.kind {
        FieldKind::Text | FieldKind::RichText | FieldKind::Asset | FieldKind::Reference => {
            let s = text()?;
            if (def.required || def.list || def.kind == FieldKind::Reference) && s.trim().is_empty()
            {
                return Err(ValueError::EmptyString);
            }
        }
        FieldKind::Url => {
            let s = text()?;
            let parsed = url::Url::parse(s).map_err(|_| ValueError::NotAUrl(s.to_string()))?;
            if !matches!(parsed.scheme(), "http" | "https" | "mailto" | "tel") {
                return Err(ValueError::UrlScheme(parsed.scheme().to_string()));
            }
        }
        FieldKind::Datetime => {
            let s = text()?;
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| ValueError::NotADatetime(s.to_string()))?;
        }
        FieldKind::Number if !value.is_number() => return Err(ValueError::NotANumber),
        FieldKind::Boolean if !value.is_boolean() => return Err(ValueError::NotABoolean),
        _ => {}
    }
    if let (Some(max), Some(s)) = (max_length, value.as_str()) {
        let len = s.chars().count();
        if len > max as usize {
            return Err(ValueError::TooLong { len, max });
        }
    }
    Ok(())
}

/// One reference a variant's fields make: the field, the position in it (0 for a single
/// reference) and the entry key it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceSlot {
    pub field: String,
    pub index: u32,
    pub key: String,
}

impl ContentType {
    /// The references `fields` makes, in field order then list order, read through this type's
    /// field definitions (values that are not keys are skipped: saving refuses them).
    pub fn references(&self, fields: &Value) -> Vec<ReferenceSlot> {
        self.fields
            .iter()
            .filter(|def| def.kind == FieldKind::Reference)
            .flat_map(|def| {
                def.values(fields).filter_map(|(index, value)| {
                    Some(ReferenceSlot {
                        field: def.name.clone(),
                        index: index as u32,
                        key: value.as_str().filter(|k| !k.trim().is_empty())?.to_string(),
                    })
                })
            })
            .collect()
    }
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
                    to: Vec::new(),
                    list: false,
                },
                FieldDef {
                    name: "link".into(),
                    kind: FieldKind::Url,
                    required: false,
                    max_length: None,
                    to: Vec::new(),
                    list: false,
                },
                FieldDef {
                    name: "rank".into(),
                    kind: FieldKind::Number,
                    required: false,
                    max_length: None,
                    to: Vec::new(),
                    list: false,
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
            to: Vec::new(),
            list: false,
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
            to: Vec::new(),
            list: false,
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

#[cfg(test)]
#[path = "content_type/list_tests.rs"]
mod list_tests;
