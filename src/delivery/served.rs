//! `servedId`: an opaque, signed name for one impression.
//!
//! It carries what the impression was (entry, variant, revision, device, locale, brand, time and
//! a random impression id) and an HMAC-SHA256 over that, so a client can hand it back to `track`
//! but cannot forge or alter one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a `servedId` names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impression {
    #[serde(rename = "i")]
    pub id: String,
    #[serde(rename = "b")]
    pub brand: String,
    #[serde(rename = "e")]
    pub entry: String,
    #[serde(rename = "v")]
    pub variant: String,
    #[serde(rename = "r")]
    pub revision: String,
    #[serde(rename = "d")]
    pub device: Option<String>,
    #[serde(rename = "l")]
    pub locale: String,
    /// Milliseconds since the Unix epoch.
    #[serde(rename = "t")]
    pub at_ms: i64,
}

#[derive(Clone)]
pub struct ServedIdSigner {
    /// The MAC with the key already absorbed; each signature starts from a copy.
    keyed: HmacSha256,
}

impl ServedIdSigner {
    pub fn new(key: &[u8]) -> Self {
        ServedIdSigner { keyed: HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length") }
    }

    fn mac(&self) -> HmacSha256 {
        self.keyed.clone()
    }

    pub fn sign(&self, impression: &Impression) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(impression).expect("plain data"));
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{payload}.{signature}")
    }

    /// The impression a genuine `servedId` names; `None` for anything forged or malformed.
    pub fn verify(&self, served_id: &str) -> Option<Impression> {
        let (payload, signature) = served_id.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn impression() -> Impression {
        Impression {
            id: "imp1".into(),
            brand: "alpine".into(),
            entry: "ent".into(),
            variant: "var".into(),
            revision: "abc".into(),
            device: Some("MOBILE".into()),
            locale: "en".into(),
            at_ms: 1,
        }
    }

    #[test]
    fn a_served_id_verifies_and_a_tampered_one_does_not() {
        let signer = ServedIdSigner::new(b"k");
        let id = signer.sign(&impression());
        assert_eq!(signer.verify(&id), Some(impression()));
        let mut forged = impression();
        forged.variant = "other".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let signature = id.split_once('.').unwrap().1;
        assert_eq!(signer.verify(&format!("{forged_payload}.{signature}")), None);
        assert_eq!(ServedIdSigner::new(b"other").verify(&id), None);
        assert_eq!(signer.verify("garbage"), None);
    }
}
