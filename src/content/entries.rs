//! Entries: create, look up, and page through within the caller's brand scope.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::brand::Brand;
use crate::domain::entry::{parse_key, Entry};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::changes::Change;
use crate::store::entries::After;

#[derive(Debug, Clone)]
pub struct NewEntry {
    pub brand: String,
    pub key: String,
    pub content_type: String,
    pub description: Option<String>,
}

/// A page of entries, Relay style.
#[derive(Debug, Clone)]
pub struct EntryPage {
    pub entries: Vec<(String, Entry)>,
    pub has_next_page: bool,
    pub total: i64,
}

pub const MAX_PAGE: i64 = 100;

/// The cursor naming an entry's position in key order.
pub fn cursor_of(entry: &Entry) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\n{}", entry.key, entry.id))
}

fn parse_cursor(cursor: &str) -> AppResult<After> {
    let bad = || AppError::bad_input("`after` is not a cursor this API gave out");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (key, id) = text.split_once('\n').ok_or_else(bad)?;
    Ok(After {
        key: key.to_string(),
        id: id.to_string(),
    })
}

impl Content {
    pub async fn create_entry(&self, who: &Principal, input: NewEntry) -> AppResult<Entry> {
        who.authorize(Action::EditContent, Some(&input.brand))?;
        let key = parse_key(&input.key).map_err(AppError::bad_input)?;
        let description = input
            .description
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty());
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 2000)
        {
            return Err(AppError::bad_input(
                "description may have at most 2000 characters",
            ));
        }
        let event = audit_event(who, "entry.create", &key, Some(&input.brand));
        let entry = self
            .db
            .write(move |conn| {
                let brand = store::brands::require(conn, &input.brand)?;
                let ct = store::content_types::by_name(conn, &brand.id, &input.content_type)?
                    .ok_or_else(|| {
                        AppError::not_found(format!(
                            "content type `{}` does not exist in brand `{}`",
                            input.content_type, brand.slug
                        ))
                    })?;
                let entry = Entry {
                    id: crate::ids::new_id("ent"),
                    brand_id: brand.id,
                    key,
                    content_type_id: ct.id,
                    description,
                    version: 1,
                };
                store::entries::insert(conn, &entry)?;
                store::audit::append(conn, event)?;
                // The snapshot knows every entry: "no entry" becomes "no variant yet".
                store::changes::record(conn, &[Change::Brand(entry.brand_id.clone())])?;
                Ok(entry)
            })
            .await?;
        self.listener.committed().await;
        Ok(entry)
    }

    pub async fn entry(&self, who: &Principal, brand: &str, key: &str) -> AppResult<Option<Entry>> {
        who.authorize(Action::ReadContent, Some(brand))?;
        let (brand, key) = (brand.to_string(), key.to_string());
        self.db
            .read(move |conn| {
                let brand = store::brands::require(conn, &brand)?;
                store::entries::by_key(conn, &brand.id, &key)
            })
            .await
    }

    /// A page of entries of one brand or of every brand the caller may see.
    pub async fn entries(
        &self,
        who: &Principal,
        brand: Option<String>,
        content_type: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<EntryPage> {
        who.authorize(Action::ReadContent, brand.as_deref())?;
        let limit = match first {
            None => 20,
            Some(n) if (0..=MAX_PAGE as i32).contains(&n) => n as i64,
            Some(_) => {
                return Err(AppError::bad_input(format!(
                    "`first` must be between 0 and {MAX_PAGE}"
                )))
            }
        };
        let after = after.as_deref().map(parse_cursor).transpose()?;
        let scope = who.scope();
        self.db
            .read(move |conn| {
                let brands: Vec<Brand> = match &brand {
                    Some(slug) => vec![store::brands::require(conn, slug)?],
                    None => store::brands::all(conn)?
                        .into_iter()
                        .filter(|b| scope.contains(&b.slug))
                        .collect(),
                };
                let brand_ids: Vec<String> = brands.into_iter().map(|b| b.id).collect();
                let type_ids = match &content_type {
                    Some(name) => Some(content_type_ids(conn, &brand_ids, name)?),
                    None => None,
                };
                let (mut rows, total) = store::entries::page(
                    conn,
                    &brand_ids,
                    type_ids.as_deref(),
                    after.as_ref(),
                    limit + 1,
                )?;
                let has_next_page = rows.len() as i64 > limit;
                rows.truncate(limit as usize);
                let entries = rows.into_iter().map(|e| (cursor_of(&e), e)).collect();
                Ok(EntryPage {
                    entries,
                    has_next_page,
                    total,
                })
            })
            .await
    }
}

fn content_type_ids(
    conn: &mut store::DbConnection,
    brand_ids: &[String],
    name: &str,
) -> AppResult<Vec<String>> {
    let mut ids = Vec::new();
    for brand_id in brand_ids {
        if let Some(ct) = store::content_types::by_name(conn, brand_id, name)? {
            ids.push(ct.id);
        }
    }
    Ok(ids)
}
