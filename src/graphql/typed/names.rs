//! GraphQL names for a brand's content types: `promo card` or `PromoCard` → type `PromoCard`,
//! query fields `promoCard` and `promoCardList`. Names that would clash with the schema's own
//! types or with each other get a suffix; a content field named like a variant's own fields
//! (`id name tags revision`) is exposed with `Field` appended.

use crate::domain::content_type::ContentType;

/// The types every typed schema defines; a content type may not take their names.
pub const RESERVED_TYPES: [&str; 12] = [
    "Query",
    "RichText",
    "DeliveredAsset",
    "ContextInput",
    "ConsentInput",
    "Device",
    "JSON",
    "DateTime",
    "String",
    "Boolean",
    "Float",
    "ID",
];

/// The fields every content type's object carries besides its own.
pub const VARIANT_FIELDS: [&str; 4] = ["id", "name", "tags", "revision"];

/// `promo card`, `promo_card`, `PromoCard` → `PromoCard` (letters and digits only, starting
/// with a letter).
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'T');
    }
    out
}

/// `PromoCard` → `promoCard`.
pub fn camel(pascal: &str) -> String {
    let mut chars = pascal.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// One unique type name per content type, in order.
pub fn type_names(types: &[ContentType]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::with_capacity(types.len());
    for ct in types {
        let base = pascal(&ct.name);
        let clashes = |n: &str| {
            taken.iter().any(|t| t == n)
                || RESERVED_TYPES.contains(&n)
                || n.ends_with("Resolved")
                || n.ends_with("Target")
        };
        let mut name = base.clone();
        let mut n = 2;
        while clashes(&name) {
            name = format!(
                "{base}Type{}",
                if n == 2 { String::new() } else { n.to_string() }
            );
            n += 1;
        }
        taken.push(name);
    }
    taken
}

/// The GraphQL name of a content field.
pub fn field_name(name: &str) -> String {
    if VARIANT_FIELDS.contains(&name) {
        format!("{name}Field")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::content_type::{FieldDef, FieldKind};

    fn ct(name: &str) -> ContentType {
        ContentType {
            id: name.into(),
            brand_id: "b".into(),
            version: 1,
            name: name.into(),
            fields: vec![FieldDef::new("t", FieldKind::Text)],
        }
    }

    #[test]
    fn names_follow_the_contract() {
        assert_eq!(pascal("promo card"), "PromoCard");
        assert_eq!(pascal("PromoCard"), "PromoCard");
        assert_eq!(pascal("promo_card"), "PromoCard");
        assert_eq!(pascal("3 col"), "T3Col");
        assert_eq!(camel("PromoCard"), "promoCard");
        assert_eq!(field_name("name"), "nameField");
        assert_eq!(field_name("title"), "title");
    }

    #[test]
    fn clashing_names_get_a_suffix() {
        let names = type_names(&[
            ct("promo card"),
            ct("PromoCard"),
            ct("Query"),
            ct("Rich text"),
        ]);
        assert_eq!(
            names,
            ["PromoCard", "PromoCardType", "QueryType", "RichTextType"]
        );
    }
}
