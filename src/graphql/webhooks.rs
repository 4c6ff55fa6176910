//! Webhooks in GraphQL: register, list with recent deliveries, send a failed delivery again,
//! delete (admins).

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::types::{content, principal};
use crate::content::webhooks::WebhookStatus;
use crate::store::webhooks::{Delivery, Webhook as Hook};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum WebhookEvent {
    Published,
    Unpublished,
    Archived,
}

impl WebhookEvent {
    fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::Published => "published",
            WebhookEvent::Unpublished => "unpublished",
            WebhookEvent::Archived => "archived",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            WebhookEvent::Published,
            WebhookEvent::Unpublished,
            WebhookEvent::Archived,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// A webhook just registered: the signing secret is shown this once.
#[derive(SimpleObject)]
pub struct CreatedWebhook {
    pub id: ID,
    pub brand: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    /// Verify `X-Vary-Signature` = `sha256=` HMAC-SHA256(secret, "{X-Vary-Timestamp}.{body}").
    pub secret: String,
}

#[derive(SimpleObject)]
pub struct WebhookDelivery {
    pub id: ID,
    pub event: String,
    /// PENDING, DELIVERED or FAILED.
    pub status: String,
    pub attempts: i32,
    /// The HTTP status of the last attempt, when one was answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct Webhook {
    pub id: ID,
    pub brand: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The latest deliveries, newest first.
    pub deliveries: Vec<WebhookDelivery>,
}

fn events(hook: &Hook) -> Vec<WebhookEvent> {
    hook.events
        .iter()
        .filter_map(|e| WebhookEvent::parse(e))
        .collect()
}

fn delivery(d: Delivery) -> WebhookDelivery {
    WebhookDelivery {
        id: ID(d.id),
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        last_status: d.last_status,
        last_error: d.last_error,
        next_attempt_at: d.next_attempt_at,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Active webhooks with their latest deliveries (admins).
    async fn webhooks(&self, ctx: &Context<'_>, brand: Option<String>) -> Result<Vec<Webhook>> {
        let list = content(ctx).webhooks(principal(ctx), brand, 20).await?;
        Ok(list
            .into_iter()
            .map(
                |WebhookStatus {
                     webhook,
                     deliveries,
                 }| Webhook {
                    id: ID(webhook.id.clone()),
                    events: events(&webhook),
                    brand: webhook.brand_slug,
                    url: webhook.url,
                    created_by: webhook.created_by,
                    created_at: webhook.created_at,
                    deliveries: deliveries.into_iter().map(delivery).collect(),
                },
            )
            .collect())
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers a URL to be told when variants of the brand are published, unpublished or
    /// archived. Private and loopback targets are refused unless the operator allows them.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        brand: String,
        url: String,
        events: Vec<WebhookEvent>,
    ) -> Result<CreatedWebhook> {
        let names = events.iter().map(|e| e.as_str().to_string()).collect();
        let hook = content(ctx)
            .create_webhook(principal(ctx), &brand, &url, names)
            .await?;
        Ok(CreatedWebhook {
            id: ID(hook.id.clone()),
            events: self::events(&hook),
            brand: hook.brand_slug,
            url: hook.url,
            secret: hook.secret,
        })
    }

    /// Sends a FAILED delivery again: PENDING with its attempts reset, due now (admins of its
    /// brand; audited). NOT_FOUND for an unknown delivery or a deleted webhook, CONFLICT for a
    /// delivery that is not FAILED.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        delivery_id: ID,
    ) -> Result<WebhookDelivery> {
        let queued = content(ctx)
            .redeliver_webhook(principal(ctx), &delivery_id)
            .await?;
        Ok(delivery(queued))
    }

    /// Stops a webhook; pending deliveries are no longer sent.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        Ok(content(ctx).delete_webhook(principal(ctx), &id).await?)
    }
}
