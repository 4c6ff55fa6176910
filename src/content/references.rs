//! REFERENCE fields on save: every key a variant's fields name must be an entry of the same
//! brand, of a content type the field allows; every content type a field's `to` names must exist.
//!
//! The shape of a reference (a non-empty string, a list within `maxLength`) is the domain's
//! check (`domain::content_type`); this module adds what needs the database. Delivery follows
//! references from the snapshot (`delivery::references`), never from here.

use std::collections::HashMap;

use super::checks::Owner;
use crate::domain::content_type::{ContentType, FieldDef, FieldKind, ReferenceSlot};
use crate::domain::variant::VariantContent;
use crate::error::{AppError, AppResult};
use crate::store::{self, DbConnection};

/// Refuses (`BAD_INPUT`, naming the field and index) a reference to a key that is no entry of the
/// owner's brand, or to an entry whose content type the field's `to` does not allow.
pub(crate) fn check_reference_fields(
    conn: &mut DbConnection,
    owner: &Owner,
    content: &VariantContent,
) -> AppResult<()> {
    let slots = owner.content_type.references(&content.fields);
    if slots.is_empty() {
        return Ok(());
    }
    let type_names: HashMap<String, String> =
        store::content_types::of_brand(conn, &owner.brand.id)?
            .into_iter()
            .map(|ct| (ct.id, ct.name))
            .collect();
    for slot in &slots {
        let def = field_def(&owner.content_type, slot);
        let fault = |message: String| {
            let at = if def.is_some_and(|d| d.list) {
                format!(" index {}", slot.index)
            } else {
                String::new()
            };
            AppError::bad_input(format!("field `{}`{at}: {message}", slot.field))
        };
        let Some(entry) = store::entries::by_key(conn, &owner.brand.id, &slot.key)? else {
            return Err(fault(format!(
                "no entry `{}` in brand `{}`",
                slot.key, owner.brand.slug
            )));
        };
        let type_name = type_names
            .get(&entry.content_type_id)
            .map_or("", String::as_str);
        if let Some(def) = def.filter(|d| !d.to.is_empty() && !d.to.iter().any(|t| t == type_name))
        {
            return Err(fault(format!(
                "entry `{}` is a {type_name}; this field takes {}",
                slot.key,
                def.to.join(" or ")
            )));
        }
    }
    Ok(())
}

fn field_def<'a>(content_type: &'a ContentType, slot: &ReferenceSlot) -> Option<&'a FieldDef> {
    content_type.fields.iter().find(|f| f.name == slot.field)
}

/// Refuses a REFERENCE field whose `to` names a content type the brand does not have; the type
/// being defined (`own_name`) may refer to itself.
pub(crate) fn check_targets(
    conn: &mut DbConnection,
    brand_id: &str,
    own_name: &str,
    fields: &[FieldDef],
) -> AppResult<()> {
    let targets: Vec<(&str, &str)> = fields
        .iter()
        .filter(|f| f.kind == FieldKind::Reference)
        .flat_map(|f| f.to.iter().map(|t| (f.name.as_str(), t.as_str())))
        .filter(|(_, t)| *t != own_name)
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let existing: Vec<String> = store::content_types::of_brand(conn, brand_id)?
        .into_iter()
        .map(|ct| ct.name)
        .collect();
    match targets
        .iter()
        .find(|(_, t)| !existing.iter().any(|e| e == t))
    {
        Some((field, target)) => Err(AppError::bad_input(format!(
            "field `{field}`: `to` names `{target}`, which is no content type of this brand"
        ))),
        None => Ok(()),
    }
}
