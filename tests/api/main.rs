//! Integration tests: a real `vary` server per test, over real HTTP, on a fresh database —
//! a temporary SQLite file, and (when `VARY_TEST_POSTGRES_URL` is set) a fresh PostgreSQL
//! database. Every test in `backend_tests!` runs once per backend.

mod helpers;

mod assets;
mod audiences;
mod audit;
mod audit_filters;
mod audit_verify;
mod auth;
mod compression;
mod content;
mod deletion;
mod delivery;
mod experiments;
mod hostile;
mod http_edges;
mod keys;
mod model_changes;
mod on_air;
mod preview_keys;
mod preview_url;
mod privacy;
mod references;
mod review_queue;
mod roles;
mod search;
mod storage_full;
mod throttle;
mod type_renames;
mod typed_delivery;
mod usage;
mod users;
mod webhooks;
mod workflow;
