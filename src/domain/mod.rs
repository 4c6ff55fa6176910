//! The core: plain types and pure functions. Nothing here knows about HTTP, GraphQL, SQL,
//! tantivy or image files; adapters convert at the edges.

pub mod account;
pub mod asset;
pub mod audience;
pub mod brand;
pub mod conflicts;
pub mod consent;
pub mod content_type;
pub mod delivery_key;
pub mod device;
pub mod diff;
pub mod entry;
pub mod experiment;
pub mod input;
pub mod key_limits;
pub mod origin;
pub mod preview_url;
pub mod quality;
pub mod resolution;
pub mod rich_text;
pub mod rule;
pub mod statistics;
pub mod targeting;
pub mod user;
pub mod variant;
