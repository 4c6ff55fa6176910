//! Operations routes: liveness, readiness, Prometheus metrics.

use actix_web::HttpResponse;

use super::State;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Ready when start-up finished (migrations, bootstrap admin, snapshot) and the database answers.
pub async fn readyz(state: State) -> HttpResponse {
    let database = state.db.ping().await;
    let ready = state.is_ready() && database;
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": database,
        "started": state.is_ready(),
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub async fn metrics(state: State) -> HttpResponse {
    let variants: usize = state.delivery.snapshot().brands.values().map(|b| b.variant_count()).sum();
    state.metrics.snapshot_variants.set(variants as i64);
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render())
}
