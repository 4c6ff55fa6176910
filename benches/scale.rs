//! Search and usage at scale (issue figures): generates 100,000 variants and 5,000,000 usage
//! events, then measures
//! - indexing the variants into the content index (on disk), and editor search latency (p50/p99
//!   over 1,000 queries with filters and facets);
//! - ingest: the events through the usage queue's real sink (database insert, then usage index),
//!   in the queue's batch size, in events per second;
//! - a usage report grouped by variant and day over all events, from the usage index and from
//!   the database, which must give the same rows.
//!
//! `cargo bench --bench scale` runs the full size (`VARY_SCALE_VARIANTS`, `VARY_SCALE_EVENTS`
//! override it; `VARY_SCALE_DATABASE` names a PostgreSQL URL instead of a temporary SQLite file).
//! With `VARY_SCALE_NODES=2` the batches alternate between two nodes' sinks (each its own node
//! id in the change log, as two servers write); the measured node indexes its own batches as it
//! stores them and the other node's through the change feed's path, timed apart.
//! Under `cargo test` (no `--bench` argument) it runs a small size as a smoke test, and still
//! checks that the index and the database agree.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use vary::config::DatabaseUrl;
use vary::search::{ContentIndex, SearchQuery, VariantDoc, CONTENT_WRITER};
use vary::store::usage::{report, DbUsageSink};
use vary::store::Db;
use vary::usage::queue::UsageSink;
use vary::usage::{ServedVariant, UsageDimension, UsageEvent, UsageIndex, UsageKind, USAGE_WRITER};

/// The queue's batch size, so ingest is measured the way the server writes.
fn batch_size() -> usize {
    vary::usage::QueueConfig::default().batch_size
}
const BRAND: &str = "scale";
const WORDS: [&str; 24] = [
    "powder", "trail", "summit", "glacier", "savings", "mortgage", "offer", "winter", "summer",
    "family", "hiking", "skiing", "loyalty", "premium", "account", "travel", "alpine", "lake",
    "forest", "city", "weekend", "bonus", "student", "retire",
];
const DEVICES: [&str; 4] = ["MOBILE", "TABLET", "DESKTOP", "TV"];

/// A small deterministic generator (xorshift), so every run builds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn words(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn variant_docs(count: usize) -> Vec<VariantDoc> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|n| {
            let entry = n / 10;
            let locale = if n % 3 == 0 { "de" } else { "en" };
            VariantDoc {
                variant_id: format!("var_{n:08}"),
                entry_id: format!("ent_{entry:07}"),
                entry_key: format!("entry-{entry}"),
                brand: if n % 4 == 0 {
                    "other".into()
                } else {
                    BRAND.into()
                },
                content_type: "banner".into(),
                status: ["DRAFT", "IN_REVIEW", "APPROVED", "PUBLISHED"][n % 4].into(),
                locale: Some(locale.into()),
                published: n % 4 == 3,
                tags: vec![WORDS[rng.below(8)].into(), WORDS[8 + rng.below(8)].into()],
                quality: (n % 100) as f64 / 100.0,
                name: format!("Variant {n} {}", rng.words(2)),
                texts: vec![rng.words(6), rng.words(40)],
                version: 1,
            }
        })
        .collect()
}

fn events(count: usize, variants: usize) -> impl Iterator<Item = UsageEvent> {
    let start = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    // One record per variant, shared by its events, as the delivery snapshot does.
    let served: Vec<Arc<ServedVariant>> = (0..variants)
        .map(|v| {
            Arc::new(ServedVariant {
                brand: BRAND.into(),
                entry_id: format!("ent_{:07}", v / 10),
                entry_key: format!("entry-{}", v / 10),
                variant_id: format!("var_{v:08}"),
                variant_name: format!("Variant {v}"),
                revision: format!("{v:064x}"),
                ..Default::default()
            })
        })
        .collect();
    (0..count).map(move |n| {
        let v = rng.below(variants);
        let kind = match rng.below(100) {
            0..=89 => UsageKind::Impression,
            90..=97 => UsageKind::Click,
            _ => UsageKind::Conversion,
        };
        UsageEvent {
            id: format!("evt_{n:010}"),
            kind,
            impression_id: format!("imp_{n:010}"),
            served: served[v].clone(),
            device: Some(DEVICES[rng.below(4)].into()),
            locale: if v % 3 == 0 { "de".into() } else { "en".into() },
            // 30 days of traffic, arriving in time order as live traffic does.
            at: start
                + chrono::Duration::milliseconds(
                    (n as u64 * 30 * 86_400_000 / count.max(1) as u64) as i64,
                ),
            user_key_hash: None,
            attributes: Default::default(),
            value: (kind == UsageKind::Conversion).then_some(25.0),
        }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let size = |name: &str, full_size: usize, smoke: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(if full { full_size } else { smoke })
    };
    let variants = size("VARY_SCALE_VARIANTS", 100_000, 2_000);
    let event_count = size("VARY_SCALE_EVENTS", 5_000_000, 20_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().expect("temp dir");

    // Content index: build, then search.
    let docs = variant_docs(variants);
    let index = ContentIndex::open(&dir.path().join("search"), CONTENT_WRITER).unwrap();
    let started = Instant::now();
    runtime.block_on(index.rebuild(docs, None)).unwrap();
    let indexing = started.elapsed();
    println!(
        "indexed {variants} variants in {:.2} s",
        indexing.as_secs_f64()
    );

    let mut rng = Rng(42);
    let mut latencies = Vec::with_capacity(1_000);
    for n in 0..1_000 {
        let query = SearchQuery {
            text: rng.words(1 + n % 2),
            brands: Some(vec![BRAND.into()]),
            tags: if n % 3 == 0 {
                vec![WORDS[rng.below(8)].into()]
            } else {
                vec![]
            },
            status: (n % 5 == 0).then(|| "PUBLISHED".to_string()),
            published_only: false,
            first: 20,
            after: None,
        };
        let started = Instant::now();
        let results = index.search(&query).unwrap();
        latencies.push(started.elapsed());
        assert!(results.hits.len() <= 20);
    }
    latencies.sort();
    println!(
        "editor search over {variants} variants: p50 {:.2} ms, p99 {:.2} ms (1000 queries)",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99))
    );
    runtime.block_on(index.shutdown()).unwrap();

    // Usage: ingest through the real sink, then report from both sides.
    let url = std::env::var("VARY_SCALE_DATABASE")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("vary.db").display()));
    let db = Db::connect(&DatabaseUrl::parse(&url).expect("database URL"), 4).expect("connect");
    db.migrate().expect("migrate");
    db.write_blocking(|conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("DELETE FROM usage_events; DELETE FROM changes")
            .map_err(Into::into)
    })
    .expect("start from an empty usage table");
    let usage_index =
        std::sync::Arc::new(UsageIndex::open(&dir.path().join("usage"), USAGE_WRITER).unwrap());
    let nodes = size("VARY_SCALE_NODES", 1, 1).clamp(1, 2);
    let sink = DbUsageSink::new(db.clone(), Some(usage_index.clone()), "bench-node");
    // The other node stores its batches; the measured one learns of them through the feed.
    let other = DbUsageSink::new(db.clone(), None, "bench-other-node");
    let batch_len = batch_size();
    let mut batch = Vec::with_capacity(batch_len);
    let mut ingest = Duration::ZERO;
    let mut written = 0usize;
    for (n, event) in events(event_count, variants / 10).enumerate() {
        batch.push(event);
        if batch.len() == batch_len {
            let writer = if nodes == 2 && (n / batch_len) % 2 == 1 {
                &other
            } else {
                &sink
            };
            let started = Instant::now();
            writer.write_batch(&batch).expect("write batch");
            ingest += started.elapsed();
            written += batch.len();
            batch.clear();
        }
    }
    let started = Instant::now();
    sink.write_batch(&batch).expect("write batch");
    sink.flush().expect("flush");
    ingest += started.elapsed();
    written += batch.len();
    println!(
        "ingested {written} events in {:.1} s: {:.0} events/s (database + usage index, batches of {batch_len}, {}, {nodes} node(s) writing)",
        ingest.as_secs_f64(),
        written as f64 / ingest.as_secs_f64(),
        db.backend()
    );
    if nodes == 2 {
        let batches: Vec<i64> = db
            .read_blocking(|conn| {
                let mut ids = Vec::new();
                let mut from = 0;
                loop {
                    let page = vary::store::changes::after(conn, from, 10_000)?;
                    let Some(last) = page.last().map(|c| c.id) else {
                        break;
                    };
                    ids.extend(page.iter().filter_map(|c| match &c.change {
                        Some(vary::store::changes::Change::Usage(node))
                            if node == "bench-other-node" =>
                        {
                            Some(c.id)
                        }
                        _ => None,
                    }));
                    from = last;
                }
                Ok(ids)
            })
            .expect("the other node's batches");
        let started = Instant::now();
        for chunk in batches.chunks(1_000) {
            runtime
                .block_on(vary::feed::usage_index::add_batches(
                    &db,
                    &usage_index,
                    chunk.to_vec(),
                ))
                .expect("the other node's events");
        }
        usage_index.flush().expect("flush");
        println!(
            "the other node's {} batches read and indexed through the change feed's path in {:.1} s",
            batches.len(),
            started.elapsed().as_secs_f64()
        );
    }
    assert_eq!(
        usage_index.num_events() as usize,
        written,
        "every event indexed once"
    );

    let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let dimensions = [UsageDimension::Variant, UsageDimension::Day];
    let timed = |f: &dyn Fn() -> Vec<vary::usage::UsageRow>| {
        let mut runs: Vec<(Duration, Vec<vary::usage::UsageRow>)> = (0..3)
            .map(|_| {
                let started = Instant::now();
                let rows = f();
                (started.elapsed(), rows)
            })
            .collect();
        runs.sort_by_key(|(took, _)| *took);
        runs.swap_remove(1)
    };
    let (index_time, from_index) =
        timed(&|| usage_index.report(BRAND, from, to, &dimensions).unwrap());
    let (db_time, from_db) = timed(&|| {
        db.read_blocking(|conn| report(conn, BRAND, from, to, &dimensions))
            .unwrap()
    });
    println!(
        "report by variant and day over {written} events ({} rows): usage index {:.0} ms, database {:.0} ms (median of 3)",
        from_index.len(),
        ms(index_time),
        ms(db_time)
    );
    assert_eq!(
        from_index, from_db,
        "the usage index and the database must give the same report"
    );
    let impressions: i64 = from_index
        .iter()
        .map(|r| r.impressions + r.clicks + r.conversions)
        .sum();
    assert_eq!(
        impressions as usize, written,
        "the report covers every event exactly once"
    );
    usage_index.shutdown().unwrap();
}
