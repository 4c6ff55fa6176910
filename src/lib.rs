//! Vary: a headless, personalized content management system.
//!
//! The module map, and the dependency rule it follows (`tests/architecture.rs` checks it):
//! - [`domain`]: plain types and pure functions (brands, content types, variants, audience rules,
//!   resolution, quality, the account and delivery-key records). Depends on nothing of ours;
//!   [`error`], [`ids`] and [`digits`] are helpers every other module may use.
//! - [`auth`] (passwords, tokens, principals) and [`assets`] (image sniffing, decoding,
//!   renditions, the blob store) depend on `domain`; [`config`] on the typed values of those
//!   ([`cli`] turns its options into `config`'s overrides, not the reverse).
//! - [`usage`] (events, the bounded queue and its batch writer, the tantivy usage index, report
//!   rows) and [`search`] (the tantivy content index) depend on nothing of ours but
//!   [`index_writer`], the single-writer loop both indexes run.
//! - [`store`] (diesel, SQLite and PostgreSQL) depends on `domain`, `usage` (it stores its
//!   events and feeds its index) and `config`; [`webhooks`] (the outbox sender and its SSRF
//!   guard) on `store`.
//! - [`content`] (authoring operations shared by GraphQL, REST and the CLI) and [`delivery`]
//!   (the in-memory published snapshot and resolution) depend on those, never on each other:
//!   `content` records changes in the change log and tells the [`feed`] (through
//!   [`content::ChangeListener`]) to apply them; the feed rebuilds what delivery, the key ring
//!   and the content index hold, on this node and on every other.
//! - [`graphql`] and [`http`] are adapters over `content` and `delivery`, each resolver or
//!   handler calling one operation; only `http` imports actix.
//! - [`app`] is the composition root; `main` parses the command line and dispatches, with
//!   [`commands`] holding the operator commands that do more (`vary export usage`, `vary reindex`,
//!   `vary usage forget`) and [`demo`] the demo data set. `main` never reads `store`.

pub mod app;
pub mod assets;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod delivery;
pub mod demo;
pub mod digits;
pub mod domain;
pub mod error;
pub mod feed;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod index_store;
pub mod index_writer;
pub mod metrics;
pub mod search;
pub mod store;
pub mod telemetry;
pub mod usage;
pub mod webhooks;
