//! Field renames applied as revisions are read (see `domain::content_type::change`): every read
//! of a revision in `store::variants` passes through here, so delivery, editors, search and diffs
//! all see fields under their current names while the stored revisions never change.

use std::collections::HashMap;

use diesel::prelude::*;

use super::schema::{content_types, entries, variants};
use super::{from_json_text, DbConnection};
use crate::domain::content_type::change::{apply_renames, LoggedRename};
use crate::domain::variant::Revision;
use crate::error::AppResult;

/// Rename logs by content type id: only the content types that have any.
pub type Logs = HashMap<String, Vec<LoggedRename>>;

/// The rename logs of every content type that has one (renames are rare: usually none).
pub fn logs(conn: &mut DbConnection) -> AppResult<Logs> {
    let rows: Vec<(String, String)> = content_types::table
        .filter(content_types::renames.ne("[]"))
        .select((content_types::id, content_types::renames))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, text)| Ok((id, from_json_text(&text)?)))
        .collect()
}

/// Renames the fields of `revisions` as their content types' logs say.
pub fn apply_to_revisions(
    conn: &mut DbConnection,
    revisions: &mut [&mut Revision],
) -> AppResult<()> {
    let logs = logs(conn)?;
    if logs.is_empty() || revisions.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<String> = revisions.iter().map(|r| r.variant_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut types: HashMap<String, String> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows: Vec<(String, String)> = variants::table
            .inner_join(entries::table)
            .filter(variants::id.eq_any(chunk))
            .select((variants::id, entries::content_type_id))
            .load(conn)?;
        types.extend(rows);
    }
    for revision in revisions.iter_mut() {
        let log = types.get(&revision.variant_id).and_then(|t| logs.get(t));
        if let Some(log) = log {
            apply_renames(&mut revision.content.fields, revision.created_at, log);
        }
    }
    Ok(())
}
