//! The audience's attributes as rules read them: a borrowed view of the request's JSON object.
//!
//! Built once per request from the context's `attributes` object, without copying it; looking an
//! attribute up borrows its name and never allocates. A `null` value counts as absent, so that
//! clients sending `{"segment": null}` for "unknown" get the absent-attribute semantics.

use serde_json::{Map, Value};

/// The attributes of one request, borrowed from its JSON object.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attributes<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl Attributes<'static> {
    /// No attributes at all, as a constant.
    pub const EMPTY: Attributes<'static> = Attributes { map: None };
}

impl<'a> Attributes<'a> {
    /// Attributes read from a JSON object.
    pub fn new(map: &'a Map<String, Value>) -> Attributes<'a> {
        Attributes { map: Some(map) }
    }

    /// No attributes at all: every attribute is absent.
    pub fn empty() -> Attributes<'static> {
        Attributes::EMPTY
    }

    /// Attributes from any JSON value: an object, or `null` for none. Anything else is `None`,
    /// for the caller to refuse as bad input.
    pub fn from_value(value: &'a Value) -> Option<Attributes<'a>> {
        match value {
            Value::Object(map) => Some(Attributes::new(map)),
            Value::Null => Some(Attributes { map: None }),
            _ => None,
        }
    }

    /// The attribute's value; `None` when it is absent or `null`.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map?.get(name).filter(|value| !value.is_null())
    }
}

impl<'a> From<&'a Map<String, Value>> for Attributes<'a> {
    fn from(map: &'a Map<String, Value>) -> Self {
        Attributes::new(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_null_attribute_counts_as_absent() {
        let value = json!({"segment": null, "age": 34});
        let attributes = Attributes::from_value(&value).unwrap();
        assert_eq!(attributes.get("segment"), None);
        assert_eq!(attributes.get("age"), Some(&json!(34)));
    }

    #[test]
    fn only_objects_and_null_are_attributes() {
        assert!(Attributes::from_value(&json!(null)).is_some());
        assert!(Attributes::from_value(&json!([1])).is_none());
        assert!(Attributes::from_value(&json!("skier")).is_none());
    }
}
