//! Operations routes: liveness, readiness, Prometheus metrics.

use actix_web::HttpResponse;

use super::State;

/// Alive, unless the node knows it must be restarted to be whole (it missed changes the log no
/// longer holds): then 503, so that its supervisor restarts it.
pub async fn healthz(state: State) -> HttpResponse {
    if state.feed.needs_restart() {
        return HttpResponse::ServiceUnavailable().json(serde_json::json!({
            "status": "restart",
            "reason": "this node missed changes the log no longer holds; restart it"
        }));
    }
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Ready when start-up finished (migrations, bootstrap admin, snapshot), the node is at most 5 s
/// behind the change log and not shutting down, the database answers and takes writes (a
/// read-only file or a full disk is not ready), both indexes take writes, and the asset store
/// answered its last probe (an object store is probed every 2 s).
pub async fn readyz(state: State) -> HttpResponse {
    let database = state.db.ping().await;
    let writable = database && state.db.writable().await;
    let assets = state.assets.store_healthy();
    let indexes = state.search.healthy() && state.usage_index.healthy();
    let current = state.feed.is_current();
    let ready = state.is_ready() && writable && assets && indexes;
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": database,
        "writable": writable,
        "assets": assets,
        "indexes": indexes,
        "changes": {"applied": state.feed.applied(), "current": current},
        "started": state.is_ready(),
    });
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub async fn metrics(state: State) -> HttpResponse {
    let variants: usize = state
        .delivery
        .snapshot()
        .brands
        .values()
        .map(|b| b.variant_count())
        .sum();
    let m = &state.metrics;
    m.snapshot_variants.set(variants as i64);
    let stats = state.usage.stats();
    let read = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    crate::metrics::catch_up(&m.usage_enqueued, read(&stats.enqueued));
    crate::metrics::catch_up(&m.usage_written, read(&stats.written));
    crate::metrics::catch_up(&m.usage_failed_writes, read(&stats.failed_writes));
    crate::metrics::catch_up(&m.usage_dropped, read(&stats.dropped));
    m.usage_pending.set(state.usage.pending() as i64);
    m.usage_index_events
        .set(state.usage_index.num_events() as i64);
    m.search_documents.set(state.search.num_docs() as i64);
    m.changes_applied.set(state.feed.applied());
    m.changes_current.set(i64::from(state.feed.is_current()));
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
