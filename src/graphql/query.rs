//! The root query.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use std::sync::Arc;

use super::inputs::ContextInput;
use super::keys::DeliveryKeyInfo;
use super::references::follow;
use super::types::{
    content, principal, Brand, Entry, EntryConnection, EntryEdge, PageInfo, User, Variant,
};
use crate::delivery::{Delivery, DeliveryContext, RequestHints, Resolved};
use crate::error::AppError;

#[derive(Default)]
pub struct Query;

/// The root query: delivery and authoring fields, plus the audit log and the asset library.
#[derive(async_graphql::MergedObject, Default)]
pub struct QueryRoot(
    Query,
    super::audit::AuditQuery,
    super::assets::AssetQuery,
    super::webhooks::WebhookQuery,
    super::usage::UsageQuery,
    super::search::SearchQuery,
    super::privacy::PrivacyQuery,
    super::experiments::ExperimentQuery,
    super::on_air::OnAirQuery,
    super::review::ReviewQuery,
    super::audit_verify::AuditVerifyQuery,
    super::audiences::AudienceQuery,
);

/// What `preview` shows an editor.
#[derive(SimpleObject)]
pub struct Resolution {
    pub variant: Option<Variant>,
    pub reason: String,
    pub candidates: Vec<Candidate>,
    /// The consent this preview was resolved under: the context's, the brand's default for
    /// what it left out.
    pub consent: Consent,
}

/// Consent as decided for a request.
#[derive(SimpleObject)]
pub struct Consent {
    pub personalization: bool,
    pub measurement: bool,
}

#[derive(SimpleObject)]
pub struct Candidate {
    pub variant: Variant,
    pub eligible: bool,
    pub reasons: Vec<String>,
}

fn delivery<'a>(ctx: &'a Context<'_>) -> &'a Arc<Delivery> {
    ctx.data_unchecked::<Arc<Delivery>>()
}

pub(crate) fn delivery_context(input: Option<ContextInput>) -> Result<DeliveryContext, AppError> {
    let input = input.unwrap_or_default();
    let attributes = match input.attributes.map(|a| a.0) {
        None | Some(serde_json::Value::Null) => serde_json::Map::new(),
        Some(serde_json::Value::Object(map)) => map,
        Some(_) => {
            return Err(AppError::bad_input(
                "context.attributes must be a JSON object",
            ))
        }
    };
    Ok(DeliveryContext {
        attributes,
        device: input.device.map(Into::into),
        locale: input.locale,
        user_key: input.user_key,
        at: input.at,
        consent: input.consent.map(Into::into).unwrap_or_default(),
    })
}

#[Object]
impl Query {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(principal(ctx).account().ok().cloned().map(User))
    }

    /// The variant to show for one entry, resolved for the visitor's context.
    async fn content(
        &self,
        ctx: &Context<'_>,
        brand: String,
        key: String,
        context: Option<ContextInput>,
    ) -> Result<Resolved> {
        let hints = ctx.data_unchecked::<RequestHints>();
        let dc = delivery_context(context)?;
        let mut list = delivery(ctx)
            .content(principal(ctx), &brand, &[key], dc, hints, follow(ctx)?)
            .await?;
        Ok(list.remove(0))
    }

    /// Several entries at once: one answer per key, in order.
    async fn contents(
        &self,
        ctx: &Context<'_>,
        brand: String,
        keys: Vec<String>,
        context: Option<ContextInput>,
    ) -> Result<Vec<Resolved>> {
        let hints = ctx.data_unchecked::<RequestHints>();
        let dc = delivery_context(context)?;
        Ok(delivery(ctx)
            .content(principal(ctx), &brand, &keys, dc, hints, follow(ctx)?)
            .await?)
    }

    /// Which variant an audience gets and why every other one lost; records nothing.
    async fn preview(
        &self,
        ctx: &Context<'_>,
        brand: String,
        key: String,
        context: Option<ContextInput>,
    ) -> Result<Resolution> {
        let hints = ctx.data_unchecked::<RequestHints>();
        let dc = delivery_context(context)?;
        let p = delivery(ctx)
            .preview(principal(ctx), &brand, &key, dc, hints)
            .await?;
        let winner = p
            .winner
            .and_then(|i| p.variants.get(i).cloned())
            .map(Variant);
        let candidates = p
            .candidates
            .into_iter()
            .map(|c| Candidate {
                variant: Variant(p.variants[c.index].clone()),
                eligible: c.eligible,
                reasons: c.reasons,
            })
            .collect();
        Ok(Resolution {
            variant: winner,
            reason: p.reason,
            candidates,
            consent: Consent {
                personalization: p.consent.personalization,
                measurement: p.consent.measurement,
            },
        })
    }

    /// The brands the caller may see.
    async fn brands(&self, ctx: &Context<'_>) -> Result<Vec<Brand>> {
        Ok(content(ctx)
            .brands(principal(ctx))
            .await?
            .into_iter()
            .map(Brand)
            .collect())
    }

    async fn brand(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Brand>> {
        Ok(content(ctx).brand(principal(ctx), &slug).await?.map(Brand))
    }

    async fn content_types(
        &self,
        ctx: &Context<'_>,
        brand: String,
    ) -> Result<Vec<super::types::ContentType>> {
        let list = content(ctx).content_types(principal(ctx), &brand).await?;
        Ok(list.into_iter().map(super::types::ContentType).collect())
    }

    async fn entry(&self, ctx: &Context<'_>, brand: String, key: String) -> Result<Option<Entry>> {
        Ok(content(ctx)
            .entry(principal(ctx), &brand, &key)
            .await?
            .map(Entry))
    }

    /// Entries ordered by key (Relay cursor connection; `first` up to 100, default 20).
    async fn entries(
        &self,
        ctx: &Context<'_>,
        brand: Option<String>,
        content_type: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<EntryConnection> {
        let had_cursor = after.is_some();
        let page = content(ctx)
            .entries(principal(ctx), brand, content_type, first, after)
            .await?;
        let edges: Vec<EntryEdge> = page
            .entries
            .into_iter()
            .map(|(cursor, e)| EntryEdge {
                cursor,
                node: Entry(e),
            })
            .collect();
        let page_info = PageInfo {
            has_next_page: page.has_next_page,
            has_previous_page: had_cursor,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Ok(EntryConnection {
            edges,
            page_info,
            total_count: page.total as i32,
        })
    }

    async fn variant(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Variant>> {
        Ok(content(ctx)
            .variant(principal(ctx), &id)
            .await?
            .map(Variant))
    }

    /// Every user (admins).
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        Ok(content(ctx)
            .users(principal(ctx))
            .await?
            .into_iter()
            .map(User)
            .collect())
    }

    /// Delivery keys, revoked ones included, never their tokens (admins).
    async fn delivery_keys(
        &self,
        ctx: &Context<'_>,
        brand: Option<String>,
    ) -> Result<Vec<DeliveryKeyInfo>> {
        let keys = content(ctx).delivery_keys(principal(ctx), brand).await?;
        Ok(keys.into_iter().map(DeliveryKeyInfo::from).collect())
    }
}
