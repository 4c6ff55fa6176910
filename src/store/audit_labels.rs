//! Names for the ids the audit log records as targets, so people read `home-hero / Summer` or
//! `ed@example.com` instead of `var_…` or `usr_…`. Ids carry their kind as a prefix; one query
//! per kind present answers a whole page, however long.

use diesel::prelude::*;
use std::collections::HashMap;

use super::schema::{
    audiences, content_types, delivery_keys, entries, experiments, users, variant_revisions,
    variants, webhook_deliveries, webhooks,
};
use super::DbConnection;
use crate::error::AppResult;

/// The kinds of id that have a name, by prefix.
const KINDS: [&str; 9] = ["var", "ent", "usr", "whk", "dlv", "key", "exp", "aud", "ct"];

/// A readable name for each of `targets` that names a stored thing (others are left out).
pub fn labels(conn: &mut DbConnection, targets: &[&str]) -> AppResult<HashMap<String, String>> {
    let mut by_kind: HashMap<&str, Vec<String>> = HashMap::new();
    for target in targets {
        if let Some((kind, _)) = target.split_once('_') {
            if KINDS.contains(&kind) {
                by_kind.entry(kind).or_default().push(target.to_string());
            }
        }
    }
    let mut names = HashMap::new();
    for (kind, ids) in by_kind {
        names.extend(names_of(conn, kind, ids)?);
    }
    Ok(names)
}

/// `(id, name)` of the rows of a table with those ids.
macro_rules! pairs {
    ($conn:expr, $table:ident, $name:ident, $ids:expr) => {
        $table::table
            .filter($table::id.eq_any($ids))
            .select(($table::id, $table::$name))
            .load::<(String, String)>($conn)?
    };
}

fn names_of(
    conn: &mut DbConnection,
    kind: &str,
    ids: Vec<String>,
) -> AppResult<Vec<(String, String)>> {
    Ok(match kind {
        "var" => variants::table
            .inner_join(entries::table)
            .inner_join(
                variant_revisions::table.on(variant_revisions::hash.eq(variants::current_revision)),
            )
            .filter(variants::id.eq_any(ids))
            .select((variants::id, entries::entry_key, variant_revisions::name))
            .load::<(String, String, String)>(conn)?
            .into_iter()
            .map(|(id, entry, name)| (id, format!("{entry} / {name}")))
            .collect(),
        "dlv" => webhook_deliveries::table
            .inner_join(webhooks::table)
            .filter(webhook_deliveries::id.eq_any(ids))
            .select((
                webhook_deliveries::id,
                webhook_deliveries::event,
                webhooks::url,
            ))
            .load::<(String, String, String)>(conn)?
            .into_iter()
            .map(|(id, event, url)| (id, format!("{event} to {url}")))
            .collect(),
        "ent" => pairs!(conn, entries, entry_key, ids),
        "usr" => pairs!(conn, users, email, ids),
        "whk" => pairs!(conn, webhooks, url, ids),
        "key" => pairs!(conn, delivery_keys, name, ids),
        "exp" => pairs!(conn, experiments, name, ids),
        "aud" => pairs!(conn, audiences, name, ids),
        "ct" => pairs!(conn, content_types, name, ids),
        _ => Vec::new(),
    })
}
