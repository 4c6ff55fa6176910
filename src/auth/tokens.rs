//! Session tokens: JWTs signed with HS256, pinned to that algorithm, with issuer, audience,
//! expiry and not-before all checked, and a lifetime no longer than the configured session TTL
//! (a token is refused if it was issued for longer, or in the future). The secret comes from
//! configuration or is generated once and kept in the data dir (mode 0600).

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::domain::user::{Role, User};

use crate::error::{AppError, AppResult};

pub const ISSUER: &str = "vary";
/// The audience of an editor's session; delivery keys are not JWTs and can never pass as one.
pub const SESSION_AUDIENCE: &str = "vary:session";
/// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionClaims {
    pub sub: String,
    pub email: String,
    pub role: Role,
    pub brands: Vec<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Not before: optional (Vary's own tokens do not carry it), checked when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The session's id: what logout ends.
    pub jti: String,
    /// The user's session version when the token was issued (see `auth::sessions`); tokens
    /// from before versions existed carry none and count as version 0.
    #[serde(default)]
    pub ver: i32,
}

/// Signs and checks session tokens.
#[derive(Clone)]
pub struct SessionTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: u64,
}

impl SessionTokens {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[SESSION_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        SessionTokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    /// A signed token for `user`, under their session version `ver`, and its expiry.
    pub fn issue(&self, user: &User, ver: i32) -> AppResult<(String, DateTime<Utc>)> {
        let now = Utc::now();
        let expires = now + chrono::Duration::seconds(self.ttl_secs as i64);
        let claims = SessionClaims {
            sub: user.id.clone(),
            email: user.email.clone(),
            role: user.role,
            brands: user.brands.clone(),
            iss: ISSUER.into(),
            aud: SESSION_AUDIENCE.into(),
            iat: now.timestamp(),
            exp: expires.timestamp(),
            nbf: None,
            jti: crate::ids::random_token(16),
            ver,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok((token, expires))
    }

    /// The claims of a valid token; anything else (expired, not yet valid, issued for longer
    /// than a session lasts, forged, other algorithm or audience) is `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> AppResult<SessionClaims> {
        let refused = |reason: &dyn std::fmt::Display| {
            tracing::debug!(%reason, "session token refused");
            AppError::unauthenticated("the token is invalid or has expired; sign in again")
        };
        let claims = decode::<SessionClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| refused(&e))?;
        self.check_lifetime(&claims, Utc::now().timestamp())
            .map_err(|reason| refused(&reason))?;
        Ok(claims)
    }

    /// A session lasts at most the configured TTL from when its token was issued, and a token
    /// cannot be issued in the future (else `iat` far ahead would stretch a short lifetime).
    /// So a token minted with the secret but for longer than Vary would ever issue is refused,
    /// however far its `exp` still is.
    fn check_lifetime(&self, claims: &SessionClaims, now: i64) -> Result<(), &'static str> {
        let leeway = LEEWAY_SECS as i64;
        if claims.iat > now.saturating_add(leeway) {
            return Err("issued in the future");
        }
        if claims.exp.saturating_sub(claims.iat) > i64::try_from(self.ttl_secs).unwrap_or(i64::MAX)
        {
            return Err("lifetime longer than session_ttl_secs");
        }
        Ok(())
    }
}

/// The secret in `data_dir/jwt-secret`, created (random, 0600) when missing.
pub fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("jwt-secret");
    if path.exists() {
        let secret = std::fs::read_to_string(&path)?.trim().to_string();
        anyhow::ensure!(
            secret.len() >= 32,
            "{} holds a secret shorter than 32 characters",
            path.display()
        );
        return Ok(secret);
    }
    let secret = crate::ids::random_token(64);
    write_private(&path, &secret)?;
    Ok(secret)
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> User {
        User {
            id: "u1".into(),
            email: "a@x.test".into(),
            role: Role::Editor,
            brands: vec!["b".into()],
            disabled: false,
            must_change_password: false,
        }
    }

    #[test]
    fn a_token_verifies_with_its_own_secret_only() {
        let tokens = SessionTokens::new(&[7u8; 32], 60);
        let (token, _) = tokens.issue(&alice(), 0).unwrap();
        assert_eq!(tokens.verify(&token).unwrap().email, "a@x.test");
        assert!(SessionTokens::new(&[8u8; 32], 60).verify(&token).is_err());
    }

    fn claims(iat: i64, exp: i64, nbf: Option<i64>) -> SessionClaims {
        SessionClaims {
            sub: "u1".into(),
            email: "a@x.test".into(),
            role: Role::Editor,
            brands: vec![],
            iss: ISSUER.into(),
            aud: SESSION_AUDIENCE.into(),
            iat,
            exp,
            nbf,
            jti: "j".into(),
            ver: 0,
        }
    }

    #[test]
    fn not_before_and_the_lifetime_are_enforced() {
        let tokens = SessionTokens::new(&[7u8; 32], 600);
        let now = Utc::now().timestamp();
        let sign = |c: &SessionClaims| {
            encode(
                &Header::new(Algorithm::HS256),
                c,
                &EncodingKey::from_secret(&[7u8; 32]),
            )
            .unwrap()
        };
        for (case, c, ok) in [
            ("plain", claims(now, now + 600, None), true),
            ("nbf now", claims(now, now + 600, Some(now)), true),
            (
                "nbf in an hour",
                claims(now, now + 600, Some(now + 3600)),
                false,
            ),
            ("lifetime past the TTL", claims(now, now + 601, None), false),
            (
                "issued long ago for years",
                claims(now - 10, now + 86400 * 365, None),
                false,
            ),
            (
                "issued in the future",
                claims(now + 3600, now + 4200, None),
                false,
            ),
        ] {
            assert_eq!(tokens.verify(&sign(&c)).is_ok(), ok, "{case}");
        }
        let (own, _) = tokens.issue(&alice(), 0).unwrap();
        assert!(tokens.verify(&own).is_ok(), "Vary's own tokens pass");
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        let tokens = SessionTokens::new(&[7u8; 32], 60);
        let (token, _) = tokens.issue(&alice(), 0).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let none_header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"{"alg":"none","typ":"JWT"}"#,
        );
        assert!(tokens.verify(&format!("{none_header}.{payload}.")).is_err());
    }
}
