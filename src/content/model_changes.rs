//! `updateContentType`: adding, removing, changing and renaming a content type's fields.
//!
//! A change is refused (`BAD_INPUT`) when it would make the latest or the published revision of
//! any non-archived variant of the type's entries invalid, listing at most 20 of them and their
//! count. Renames are logged on the content type and applied whenever older revisions are read
//! (`store::renames`), so stored revisions never change. Renaming the type itself renames it in
//! the `to` lists of the REFERENCE fields that name it (the brand's other types, each audited,
//! in the same transaction). Audited; every node rebuilds the brand's snapshot, and the
//! variants' search documents are made again under the new names.

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::content_type::change::{
    check_renames, renamed_fields, FieldRename, LoggedRename,
};
use crate::domain::content_type::{check_definition, ContentType, FieldDef, FieldKind};
use crate::domain::variant::VariantStatus;
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, time, DbConnection};

/// At most this many broken variants are named in a refusal.
const NAMED: usize = 20;

/// What `updateContentType` takes: the whole new field list and the renames within it.
#[derive(Debug, Clone, Default)]
pub struct ContentTypeUpdate {
    pub name: Option<String>,
    pub fields: Vec<FieldDef>,
    pub renames: Vec<FieldRename>,
}

impl Content {
    pub async fn update_content_type(
        &self,
        who: &Principal,
        id: &str,
        expected_version: i32,
        update: ContentTypeUpdate,
    ) -> AppResult<ContentType> {
        let (who, id) = (who.clone(), id.to_string());
        let ct = self
            .db
            .write(move |conn| {
                let (old, slug) = load(conn, &who, &id)?;
                if old.version != expected_version {
                    return Err(stale(&old, expected_version));
                }
                let name = update
                    .name
                    .as_deref()
                    .unwrap_or(&old.name)
                    .trim()
                    .to_string();
                // A type that refers to itself under its old name now does under its new one.
                let fields = retargeted(&update.fields, &old.name, &name).unwrap_or(update.fields);
                check_definition(&name, &fields).map_err(AppError::bad_input)?;
                check_renames(&old.fields, &fields, &update.renames)
                    .map_err(AppError::bad_input)?;
                super::references::check_targets(conn, &old.brand_id, &name, &fields)?;
                let new = ContentType {
                    name,
                    fields,
                    version: old.version + 1,
                    ..old.clone()
                };
                let variants = refuse_breaking(conn, &new, &update.renames)?;
                let at = time::now();
                let logged: Vec<LoggedRename> = update
                    .renames
                    .iter()
                    .map(|r| LoggedRename {
                        from: r.from.clone(),
                        to: r.to.clone(),
                        at,
                    })
                    .collect();
                if !store::content_types::update_checked(conn, &new, expected_version, &logged)? {
                    return Err(stale(&old, expected_version));
                }
                let mut event = audit_event(&who, "updateContentType", &new.id, Some(&slug));
                event.note = Some(describe(&old, &new, &update.renames));
                store::audit::append(conn, event)?;
                if new.name != old.name {
                    retarget_references(conn, &who, &slug, &new, &old.name)?;
                }
                let mut changes: Vec<Change> = variants.into_iter().map(Change::Variant).collect();
                changes.push(Change::Brand(new.brand_id.clone()));
                store::changes::record(conn, &changes)?;
                Ok(new)
            })
            .await?;
        self.listener.committed().await;
        Ok(ct)
    }
}

/// After a content type is renamed, the REFERENCE fields of the brand's other types that name
/// it in `to` name it by its new name: each such type is saved at its next version and audited.
fn retarget_references(
    conn: &mut DbConnection,
    who: &Principal,
    slug: &str,
    renamed: &ContentType,
    old_name: &str,
) -> AppResult<()> {
    for other in store::content_types::of_brand(conn, &renamed.brand_id)? {
        if other.id == renamed.id {
            continue;
        }
        let Some(fields) = retargeted(&other.fields, old_name, &renamed.name) else {
            continue;
        };
        let next = ContentType {
            fields,
            version: other.version + 1,
            ..other.clone()
        };
        if !store::content_types::update_checked(conn, &next, other.version, &[])? {
            return Err(stale(&other, other.version));
        }
        let mut event = audit_event(who, "updateContentType", &next.id, Some(slug));
        event.note = Some(format!(
            "reference targets: `{old_name}` → `{}` (content type renamed)",
            renamed.name
        ));
        store::audit::append(conn, event)?;
    }
    Ok(())
}

/// `fields` with every REFERENCE target named `from` named `to` instead; `None` when no field
/// names `from`.
fn retargeted(fields: &[FieldDef], from: &str, to: &str) -> Option<Vec<FieldDef>> {
    let names = |f: &FieldDef| f.kind == FieldKind::Reference && f.to.iter().any(|t| t == from);
    if from == to || !fields.iter().any(names) {
        return None;
    }
    let mut fields = fields.to_vec();
    for target in fields
        .iter_mut()
        .filter(|f| f.kind == FieldKind::Reference)
        .flat_map(|f| f.to.iter_mut())
        .filter(|t| t.as_str() == from)
    {
        *target = to.to_string();
    }
    Some(fields)
}

/// The live content type and its brand's slug, for a caller who may define content types there.
fn load(conn: &mut DbConnection, who: &Principal, id: &str) -> AppResult<(ContentType, String)> {
    who.user()?;
    let not_found = || AppError::not_found(format!("content type {id} does not exist"));
    if store::content_types::is_deleted(conn, id)? {
        return Err(not_found());
    }
    let ct = store::content_types::by_id(conn, id)?;
    let brand = store::brands::by_id(conn, &ct.brand_id)?;
    if !who.scope().contains(&brand.slug) {
        return Err(not_found());
    }
    who.authorize(Action::ManageContentTypes, Some(&brand.slug))?;
    Ok((ct, brand.slug))
}

fn stale(ct: &ContentType, expected: i32) -> AppError {
    AppError::conflict(format!(
        "content type {} is at version {}, not {expected}: someone else changed it; reload and try again",
        ct.id, ct.version
    ))
}

/// Refuses the change when it breaks the latest or published revision of a non-archived variant
/// of the type's entries; answers the ids of all the type's variants otherwise.
fn refuse_breaking(
    conn: &mut DbConnection,
    new: &ContentType,
    renames: &[FieldRename],
) -> AppResult<Vec<String>> {
    let entries: Vec<_> = store::entries::of_brands(conn, std::slice::from_ref(&new.brand_id))?
        .into_iter()
        .filter(|e| e.content_type_id == new.id)
        .collect();
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let published = store::variants::published_of_entries(conn, &ids)?;
    let variants = store::variants::of_entries(conn, &ids)?;
    let mut broken = Vec::new();
    for v in variants
        .iter()
        .filter(|v| v.record.status != VariantStatus::Archived)
    {
        let live = published
            .iter()
            .find(|p| p.id == v.record.id)
            .map(|p| &p.fields);
        let fault = [
            ("latest", Some(&v.latest.content.fields)),
            ("published", live),
        ]
        .into_iter()
        .find_map(|(which, fields)| {
            let error = new.check_fields(&renamed_fields(fields?, renames)).err()?;
            Some(format!("{which} revision: {error}"))
        });
        if let Some(fault) = fault {
            let key = entries
                .iter()
                .find(|e| e.id == v.record.entry_id)
                .map_or("", |e| e.key.as_str());
            broken.push(format!(
                "variant \"{}\" of entry `{key}` ({fault})",
                v.latest.content.name
            ));
        }
    }
    if broken.is_empty() {
        return Ok(variants.into_iter().map(|v| v.record.id).collect());
    }
    let count = broken.len();
    let mut named = broken
        .into_iter()
        .take(NAMED)
        .collect::<Vec<_>>()
        .join("; ");
    if count > NAMED {
        named.push_str(&format!("; and {} more", count - NAMED));
    }
    Err(AppError::bad_input(format!(
        "this change would make {count} variant(s) invalid: {named}"
    )))
}

/// The change in one line for the audit log.
fn describe(old: &ContentType, new: &ContentType, renames: &[FieldRename]) -> String {
    let names = |ct: &ContentType| {
        ct.fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let renamed: Vec<String> = renames
        .iter()
        .map(|r| format!("{} → {}", r.from, r.to))
        .collect();
    format!(
        "name: {} → {}; fields: [{}] → [{}]; renames: [{}]",
        old.name,
        new.name,
        names(old),
        names(new),
        renamed.join(", ")
    )
}
