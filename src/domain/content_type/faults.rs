//! Why a content type's definition, or a value of one of its fields, is refused. Each error's
//! text is the message editors see (`field `cta`: maxLength must be at least 1`).

use super::{FieldKind, MAX_REFERENCE_TARGETS};

/// Why a content type's name and fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("a content type needs a name of 1 to 100 characters")]
    Name,
    #[error("a content type needs at least one field")]
    NoFields,
    #[error("a content type may have at most 100 fields")]
    TooManyFields,
    #[error("field name `{0}` must start with a letter and hold only letters, digits and _")]
    FieldName(String),
    #[error("field `{0}` is defined twice")]
    Duplicate(String),
    #[error("field `{0}`: maxLength must be at least 1")]
    MaxLength(String),
    #[error("field `{0}`: `to` is only for REFERENCE fields")]
    TargetsOnOtherKind(String),
    #[error("field `{0}`: `to` may name at most {max} content types", max = MAX_REFERENCE_TARGETS)]
    TooManyTargets(String),
    #[error("field `{field}`: `to` names `{target}` twice or names nothing")]
    Target { field: String, target: String },
}

/// Why one value (a field's, or an element of a list field) does not fit the field's kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("must be a string ({0:?})")]
    NotAString(FieldKind),
    #[error("is required (an empty string)")]
    EmptyString,
    #[error("`{0}` is not an absolute URL")]
    NotAUrl(String),
    #[error("URL scheme `{0}` is not allowed")]
    UrlScheme(String),
    #[error("`{0}` is not an RFC 3339 date-time")]
    NotADatetime(String),
    #[error("must be a number")]
    NotANumber,
    #[error("must be true or false")]
    NotABoolean,
    #[error("is {len} characters long; at most {max} allowed")]
    TooLong { len: usize, max: i32 },
}

/// Why a set of field values does not fit a content type; `field` names the culprit.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    /// The element of a list field at fault, when it is one element.
    pub index: Option<usize>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            index: None,
            message: message.into(),
        }
    }

    pub fn at(field: impl Into<String>, index: usize, message: impl Into<String>) -> FieldError {
        FieldError {
            index: Some(index),
            ..FieldError::new(field, message)
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(index) => write!(f, "field `{}` index {index}: {}", self.field, self.message),
            None => write!(f, "field `{}`: {}", self.field, self.message),
        }
    }
}
