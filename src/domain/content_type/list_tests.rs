//! Lists and references: each fault names the field and, inside a list, the index.

use super::*;
use serde_json::json;

fn page() -> ContentType {
    let mut tags = FieldDef::new("tags", FieldKind::Text);
    tags.list = true;
    tags.max_length = Some(3);
    let mut cards = FieldDef::new("cards", FieldKind::Reference);
    cards.list = true;
    cards.to = vec!["Card".into()];
    ContentType {
        id: "ct".into(),
        brand_id: "b".into(),
        version: 1,
        name: "Page".into(),
        fields: vec![FieldDef::new("hero", FieldKind::Reference), tags, cards],
    }
}

#[test]
fn lists_and_references_that_fit_pass() {
    let fields = json!({"hero": "home-hero", "tags": ["a", "b"], "cards": ["c1", "c2"]});
    assert!(page().check_fields(&fields).is_ok());
    assert!(page().check_fields(&json!({})).is_ok());
}

#[test]
fn each_list_fault_names_the_field_and_index() {
    let t = page();
    let err = t.check_fields(&json!({"tags": ["a", 2]})).unwrap_err();
    assert_eq!((err.field.as_str(), err.index), ("tags", Some(1)));
    let err = t
        .check_fields(&json!({"tags": ["a", "b", "c", "d"]}))
        .unwrap_err();
    assert_eq!((err.field.as_str(), err.index), ("tags", Some(3)));
    assert!(err.to_string().contains("at most 3"), "{err}");
    let err = t.check_fields(&json!({"tags": "a"})).unwrap_err();
    assert_eq!((err.field.as_str(), err.index), ("tags", None));
    let err = t.check_fields(&json!({"cards": ["c1", ""]})).unwrap_err();
    assert_eq!((err.field.as_str(), err.index), ("cards", Some(1)));
    assert!(err.to_string().contains("field `cards` index 1"), "{err}");
    let err = t.check_fields(&json!({"hero": 7})).unwrap_err();
    assert_eq!(err.field, "hero");
}

#[test]
fn references_are_read_in_field_then_list_order() {
    let fields = json!({"cards": ["c1", "c2"], "hero": "h", "tags": ["x"]});
    let slots = page().references(&fields);
    let seen: Vec<(&str, u32, &str)> = slots
        .iter()
        .map(|s| (s.field.as_str(), s.index, s.key.as_str()))
        .collect();
    assert_eq!(
        seen,
        [("hero", 0, "h"), ("cards", 0, "c1"), ("cards", 1, "c2")]
    );
}

#[test]
fn to_is_only_for_references_and_names_each_type_once() {
    let mut text = FieldDef::new("t", FieldKind::Text);
    text.to = vec!["Card".into()];
    assert!(check_definition("T", &[text]).is_err());
    let mut twice = FieldDef::new("r", FieldKind::Reference);
    twice.to = vec!["Card".into(), "Card".into()];
    assert!(check_definition("T", &[twice]).is_err());
    let mut fine = FieldDef::new("r", FieldKind::Reference);
    fine.to = vec!["Card".into(), "Hero".into()];
    assert!(check_definition("T", &[fine]).is_ok());
}

#[test]
fn definitions_without_the_new_keys_still_read() {
    let stored = r#"[{"name": "title", "kind": "TEXT", "required": true, "maxLength": 60}]"#;
    let fields: Vec<FieldDef> = serde_json::from_str(stored).unwrap();
    assert!(!fields[0].list && fields[0].to.is_empty());
    // Written back, a plain field keeps the shape it had.
    let written = serde_json::to_string(&fields).unwrap();
    assert!(
        !written.contains("\"to\"") && !written.contains("\"list\""),
        "{written}"
    );
}
