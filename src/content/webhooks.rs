//! Webhooks: admins register a URL per brand and the events it wants (published, unpublished,
//! archived); workflow transitions queue deliveries (see `crate::webhooks` for sending), and a
//! delivery that failed for good can be sent again.

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::error::{AppError, AppResult};
use crate::store::{self, time, webhooks::Delivery, webhooks::Webhook};

/// The events a webhook can subscribe to.
pub const EVENTS: [&str; 3] = ["published", "unpublished", "archived"];

/// A webhook with its latest deliveries.
#[derive(Debug, Clone)]
pub struct WebhookStatus {
    pub webhook: Webhook,
    pub deliveries: Vec<Delivery>,
}

impl Content {
    /// Registers a webhook; its signing secret is returned once, here.
    pub async fn create_webhook(
        &self,
        who: &Principal,
        brand: &str,
        url: &str,
        events: Vec<String>,
    ) -> AppResult<Webhook> {
        who.authorize(Action::ManageBrands, Some(brand))?;
        if events.is_empty() {
            return Err(AppError::bad_input("a webhook needs at least one event"));
        }
        if let Some(bad) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
            return Err(AppError::bad_input(format!(
                "unknown event `{bad}`: expected {}",
                EVENTS.join(", ")
            )));
        }
        let allow_private = self.webhooks_allow_private;
        let raw = url.to_string();
        let url = tokio::task::spawn_blocking(move || {
            crate::webhooks::guard::check_url(&raw, allow_private)
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::bad_input)?;
        let mut events = events;
        events.sort();
        events.dedup();
        let hook = Webhook {
            id: crate::ids::new_id("whk"),
            brand_slug: brand.to_string(),
            url: url.to_string(),
            events,
            secret: crate::ids::random_token(40),
            created_by: who.actor(),
            created_at: time::now(),
        };
        let event = audit_event(who, "webhook.create", &hook.id, Some(brand));
        let saved = hook.clone();
        self.db
            .write(move |conn| {
                let brand = store::brands::require(conn, &saved.brand_slug)?;
                store::webhooks::insert(conn, &brand.id, &saved)?;
                store::audit::append(conn, event)
            })
            .await?;
        Ok(hook)
    }

    /// Active webhooks (of one brand, or all) with their latest deliveries.
    pub async fn webhooks(
        &self,
        who: &Principal,
        brand: Option<String>,
        last: i64,
    ) -> AppResult<Vec<WebhookStatus>> {
        who.authorize(Action::ManageBrands, brand.as_deref())?;
        self.db
            .read(move |conn| {
                let brand_id = match &brand {
                    Some(slug) => Some(store::brands::require(conn, slug)?.id),
                    None => None,
                };
                let hooks = store::webhooks::active(conn, brand_id.as_deref())?;
                hooks
                    .into_iter()
                    .map(|webhook| {
                        let deliveries = store::webhooks::deliveries(conn, &webhook.id, last)?;
                        Ok(WebhookStatus {
                            webhook,
                            deliveries,
                        })
                    })
                    .collect()
            })
            .await
    }

    /// Queues a failed delivery again (admins of its brand): pending, attempts reset, due now;
    /// the webhook sender is woken to take it. `NOT_FOUND` for no such delivery or a deleted
    /// webhook, `CONFLICT` for a delivery that is not failed.
    pub async fn redeliver_webhook(&self, who: &Principal, id: &str) -> AppResult<Delivery> {
        who.authorize(Action::ManageBrands, None)?;
        let (who, id) = (who.clone(), id.to_string());
        let delivery = self
            .db
            .write(move |conn| {
                let Some((delivery, brand, active)) = store::webhooks::find_delivery(conn, &id)?
                else {
                    return Err(AppError::not_found(format!("no webhook delivery {id}")));
                };
                who.authorize(Action::ManageBrands, Some(&brand))?;
                if !active {
                    return Err(AppError::not_found(format!(
                        "the webhook of delivery {id} was deleted"
                    )));
                }
                if !store::webhooks::redeliver(conn, &id)? {
                    return Err(AppError::conflict(format!(
                        "delivery {id} is {}, not failed: only a failed delivery can be sent again",
                        delivery.status.to_lowercase()
                    )));
                }
                let mut event = audit_event(&who, "redeliverWebhook", &id, Some(&brand));
                event.note = Some(format!(
                    "{} to webhook {}",
                    delivery.event, delivery.webhook_id
                ));
                store::audit::append(conn, event)?;
                store::webhooks::find_delivery(conn, &id)?
                    .map(|(d, _, _)| d)
                    .ok_or_else(|| AppError::internal("a delivery vanished in its own transaction"))
            })
            .await?;
        self.webhook_wake.notify_one();
        Ok(delivery)
    }

    pub async fn delete_webhook(&self, who: &Principal, id: &str) -> AppResult<bool> {
        who.authorize(Action::ManageBrands, None)?;
        let event = audit_event(who, "webhook.delete", id, None);
        let id = id.to_string();
        self.db
            .write(move |conn| {
                if !store::webhooks::deactivate(conn, &id)? {
                    return Err(AppError::not_found(format!("no active webhook {id}")));
                }
                store::audit::append(conn, event)?;
                Ok(true)
            })
            .await
    }
}
