//! Prometheus metrics: HTTP requests and latencies by route, GraphQL errors by code, and the state
//! of the usage queue and the indexes (read from their own counters when scraped).

use prometheus::core::Collector;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub graphql_errors: IntCounterVec,
    pub snapshot_variants: IntGauge,
    pub usage_enqueued: IntCounter,
    pub usage_written: IntCounter,
    pub usage_failed_writes: IntCounter,
    pub usage_dropped: IntCounter,
    pub usage_pending: IntGauge,
    pub usage_index_events: IntGauge,
    pub search_documents: IntGauge,
    /// The last change-log id this node applied.
    pub changes_applied: IntGauge,
    /// 1 while this node is at most 5 s behind the change log, else 0.
    pub changes_current: IntGauge,
}

/// Raises a counter mirrored from another monotonic count to `value`.
pub fn catch_up(counter: &IntCounter, value: u64) {
    let current = counter.get();
    if value > current {
        counter.inc_by(value - current);
    }
}

/// Registers `collector` with `registry` and hands it back.
fn registered<C: Collector + Clone + 'static>(registry: &Registry, collector: C) -> C {
    registry
        .register(Box::new(collector.clone()))
        .expect("metric registered once");
    collector
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
    registered(registry, IntCounter::new(name, help).expect("valid metric"))
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
    registered(registry, IntGauge::new(name, help).expect("valid metric"))
}

/// The HTTP and GraphQL metrics: requests, latencies and errors.
fn http_metrics(registry: &Registry) -> (IntCounterVec, HistogramVec, IntCounterVec) {
    let http_requests = IntCounterVec::new(
        Opts::new(
            "http_requests_total",
            "HTTP requests by route, method and status",
        ),
        &["route", "method", "status"],
    )
    .expect("valid metric");
    let http_latency = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "HTTP request latency by route",
        )
        .buckets(vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
        ]),
        &["route"],
    )
    .expect("valid metric");
    let graphql_errors = IntCounterVec::new(
        Opts::new("graphql_errors_total", "GraphQL errors by code"),
        &["code"],
    )
    .expect("valid metric");
    (
        registered(registry, http_requests),
        registered(registry, http_latency),
        registered(registry, graphql_errors),
    )
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("vary".into()), None).expect("valid prefix");
        let (http_requests, http_latency, graphql_errors) = http_metrics(&registry);
        let counter = |name: &str, help: &str| counter(&registry, name, help);
        let gauge = |name: &str, help: &str| gauge(&registry, name, help);
        Metrics {
            http_requests,
            http_latency,
            graphql_errors,
            snapshot_variants: gauge(
                "delivery_snapshot_variants",
                "Published variants in the delivery snapshot",
            ),
            usage_enqueued: counter(
                "usage_events_enqueued_total",
                "Usage events put on the queue",
            ),
            usage_written: counter(
                "usage_events_written_total",
                "Usage events the batch writer stored",
            ),
            usage_failed_writes: counter(
                "usage_batch_write_failures_total",
                "Batch writes that failed and were retried",
            ),
            usage_dropped: counter(
                "usage_events_dropped_total",
                "Usage events that could not be written before shutdown",
            ),
            usage_pending: gauge(
                "usage_queue_pending",
                "Usage events queued and not yet written",
            ),
            usage_index_events: gauge("usage_index_events", "Events the usage index can report on"),
            search_documents: gauge(
                "search_index_documents",
                "Variants the content index can find",
            ),
            changes_applied: gauge(
                "changes_applied_id",
                "The last change-log id this node applied",
            ),
            changes_current: gauge(
                "changes_current",
                "1 while this node is at most 5 s behind the change log",
            ),
            registry,
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("encoding to memory");
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
