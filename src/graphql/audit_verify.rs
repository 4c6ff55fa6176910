//! `auditVerification`: the audit chain checked on the server, for the audit page.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::types::{content, principal};

/// Whether every audit row's hash covers the row before it.
#[derive(SimpleObject)]
pub struct AuditVerification {
    pub intact: bool,
    /// The sequence number of the first row that does not verify; null when intact.
    pub first_broken_seq: Option<i64>,
}

#[derive(Default)]
pub struct AuditVerifyQuery;

#[Object]
impl AuditVerifyQuery {
    /// The result of `vary audit verify`, computed now (auditors and admins).
    async fn audit_verification(&self, ctx: &Context<'_>) -> Result<AuditVerification> {
        let broken = content(ctx).verify_audit_chain(principal(ctx)).await?;
        Ok(AuditVerification {
            intact: broken.is_none(),
            first_broken_seq: broken,
        })
    }
}
