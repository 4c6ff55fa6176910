//! Live delivery keys, held in memory so that checking a key never touches the database.
//!
//! Tokens are `vary_dk_` plus 40 random characters; only their SHA-256 is stored. The ring is
//! loaded at start and replaced atomically when the change feed applies a create or revoke (on
//! the node that made it before `revokeDeliveryKey` answers, on the others within a second).

use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

use super::policy::KeyPrincipal;
use crate::store::keys::DeliveryKeyRecord;

pub const TOKEN_PREFIX: &str = "vary_dk_";

/// A new random delivery token.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", crate::ids::random_token(40))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Default)]
pub struct KeyRing {
    live: ArcSwap<HashMap<String, KeyPrincipal>>,
}

impl KeyRing {
    /// Replaces the ring with the live (unrevoked) keys among `records`.
    pub fn load(&self, records: &[DeliveryKeyRecord]) {
        let live = records
            .iter()
            .filter(|r| r.revoked_at.is_none())
            .map(|r| {
                let principal = KeyPrincipal {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    brand: r.brand_slug.clone(),
                };
                (r.token_hash.clone(), principal)
            })
            .collect();
        self.live.store(Arc::new(live));
    }

    /// Replaces what the ring holds for the keys `ids` with what `records` (their current rows)
    /// say: a live key is added, a revoked or missing one removed.
    pub fn update(&self, ids: &std::collections::BTreeSet<String>, records: &[DeliveryKeyRecord]) {
        let mut live: HashMap<String, KeyPrincipal> = (**self.live.load()).clone();
        live.retain(|_, principal| !ids.contains(&principal.id));
        for r in records.iter().filter(|r| r.revoked_at.is_none()) {
            let principal = KeyPrincipal {
                id: r.id.clone(),
                name: r.name.clone(),
                brand: r.brand_slug.clone(),
            };
            live.insert(r.token_hash.clone(), principal);
        }
        self.live.store(Arc::new(live));
    }

    pub fn find(&self, token: &str) -> Option<KeyPrincipal> {
        self.live.load().get(&token_hash(token)).cloned()
    }
}
