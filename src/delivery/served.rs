//! `servedId`: an opaque, signed name for one impression.
//!
//! It is `{impression id}.{brand}.{signature}`, where the signature is an HMAC-SHA256 (URL-safe
//! base64) over the first two parts. Everything else an impression records (entry, variant,
//! revision, device, locale, time, …) is stored with it, so `track` needs only to know which
//! impression and whose: a client can hand the id back but cannot forge or alter one. Kept short
//! because every answer to an app carries one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a genuine `servedId` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRef {
    /// The impression's id.
    pub impression: String,
    /// The slug of the brand it was served in.
    pub brand: String,
}

#[derive(Clone)]
pub struct ServedIdSigner {
    /// The MAC with the key already absorbed; each signature starts from a copy.
    keyed: HmacSha256,
}

impl ServedIdSigner {
    pub fn new(key: &[u8]) -> Self {
        ServedIdSigner {
            keyed: HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length"),
        }
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(payload.as_bytes());
        mac
    }

    /// The `servedId` of impression `impression_id` in `brand` (neither contains a `.`: both
    /// are ids and slugs we made).
    pub fn sign(&self, impression_id: &str, brand: &str) -> String {
        let mut served = String::with_capacity(impression_id.len() + brand.len() + 45);
        served.push_str(impression_id);
        served.push('.');
        served.push_str(brand);
        let signature = self.mac(&served).finalize().into_bytes();
        served.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut served);
        served
    }

    /// What a genuine `servedId` names; `None` for anything forged, altered or malformed.
    pub fn verify(&self, served_id: &str) -> Option<ServedRef> {
        let (payload, signature) = served_id.rsplit_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.mac(payload).verify_slice(&signature).ok()?;
        let (impression, brand) = payload.split_once('.')?;
        Some(ServedRef {
            impression: impression.to_string(),
            brand: brand.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_served_id_verifies_and_a_tampered_one_does_not() {
        let signer = ServedIdSigner::new(b"k");
        let id = signer.sign("imp_1", "alpine");
        assert_eq!(
            signer.verify(&id),
            Some(ServedRef {
                impression: "imp_1".into(),
                brand: "alpine".into()
            })
        );
        assert!(id.len() < 64, "short: {id}");
        let signature = id.rsplit_once('.').unwrap().1;
        assert_eq!(
            signer.verify(&format!("imp_2.alpine.{signature}")),
            None,
            "another impression"
        );
        assert_eq!(
            signer.verify(&format!("imp_1.nordbank.{signature}")),
            None,
            "another brand"
        );
        assert_eq!(
            signer.verify(&format!("imp_1.alpine.{}", &signature[1..])),
            None,
            "a shortened signature"
        );
        assert_eq!(ServedIdSigner::new(b"other").verify(&id), None);
        for garbage in ["garbage", "", ".", "a.b", "a.b.c", "imp_1.alpine.!!!"] {
            assert_eq!(signer.verify(garbage), None, "{garbage}");
        }
    }
}
