//! `auditLog`: the editorial audit trail as a Relay connection (auditors and admins).

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::types::{content, principal, PageInfo};
use crate::content::audit::{AuditEntry as Row, AuditFilter};
use crate::error::AppError;

#[derive(SimpleObject)]
pub struct AuditEntry {
    pub at: String,
    /// An e-mail, `key:NAME`, or `system`/`operator`.
    pub actor: String,
    pub action: String,
    pub target: String,
    /// What `target` names, in words (an entry key, `entry / variant`, an e-mail, a URL…), when
    /// it is the id of something stored.
    pub target_label: Option<String>,
    pub brand: Option<String>,
    pub revision_before: Option<String>,
    pub revision_after: Option<String>,
    pub note: Option<String>,
    /// Covers this row and the previous row's hash: tampering breaks the chain.
    pub hash: String,
}

#[derive(SimpleObject)]
pub struct AuditEdge {
    pub cursor: String,
    pub node: AuditEntry,
}

#[derive(SimpleObject)]
pub struct AuditConnection {
    pub edges: Vec<AuditEdge>,
    pub page_info: PageInfo,
}

fn cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("audit:{seq}"))
}

fn parse_cursor(raw: &str) -> Result<i64, AppError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("audit:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| AppError::bad_input("`after` is not a cursor this API gave out"))
}

fn node(r: Row) -> AuditEdge {
    AuditEdge {
        cursor: cursor(r.seq),
        node: AuditEntry {
            at: r.at,
            actor: r.actor,
            action: r.action,
            target: r.target,
            target_label: r.target_label,
            brand: r.brand,
            revision_before: r.revision_before,
            revision_after: r.revision_after,
            note: r.note,
            hash: r.hash,
        },
    }
}

/// Which way in time `auditLog` reads (oldest first when not given).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AuditOrder {
    OldestFirst,
    NewestFirst,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log in time order, or newest first with `order: NEWEST_FIRST` (`first` up to
    /// 500, default 100); `actor` and `action` keep only the rows with exactly that actor and
    /// action.
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        brand: Option<String>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
        actor: Option<String>,
        action: Option<String>,
        order: Option<AuditOrder>,
    ) -> Result<AuditConnection> {
        let limit = first.unwrap_or(100) as i64;
        if !(0..=crate::content::audit::MAX_AUDIT_PAGE).contains(&limit) {
            return Err(AppError::bad_input("`first` must be between 0 and 500").into());
        }
        let after_seq = after.as_deref().map(parse_cursor).transpose()?.unwrap_or(0);
        let filter = AuditFilter {
            brand,
            actor,
            action,
            from,
            to,
        };
        let newest_first = order == Some(AuditOrder::NewestFirst);
        let mut rows = content(ctx)
            .audit_page(principal(ctx), filter, newest_first, after_seq, limit + 1)
            .await?;
        let has_next_page = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let edges: Vec<AuditEdge> = rows.into_iter().map(node).collect();
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: after_seq > 0,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Ok(AuditConnection { edges, page_info })
    }
}
