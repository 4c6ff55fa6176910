//! Browser origins (`https://shop.example:8443`), as `cors_origins` and a delivery key's
//! `allowedOrigins` name them and as browsers send them in the `Origin` header.
//!
//! An origin is parsed once into its serialised form (scheme, lower-case host, port only when
//! not the scheme's default, no path), which is exactly what a browser puts in `Origin`; the
//! request's header is then compared byte for byte, without parsing it on every request.

use std::fmt;

/// One web origin: `http` or `https`, a host and an optional port, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin(String);

/// Why text is not an origin; each names the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("`{text}` is not an origin: {cause}")]
    NotAUrl {
        text: String,
        cause: url::ParseError,
    },
    #[error("`{0}` is not an origin: use http:// or https://")]
    Scheme(String),
    #[error("`{0}` is not an origin: give only scheme, host and port, like https://shop.example")]
    NotBare(String),
    #[error("`{0}` is not an origin: it names no host")]
    NoHost(String),
}

impl Origin {
    /// Reads `https://host[:port]` (a trailing `/` is allowed); anything with a path, query,
    /// fragment, user name or another scheme is refused, the error saying why.
    pub fn parse(text: &str) -> Result<Origin, OriginError> {
        let text = text.trim();
        let url = url::Url::parse(text).map_err(|cause| OriginError::NotAUrl {
            text: text.to_string(),
            cause,
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OriginError::Scheme(text.to_string()));
        }
        let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
        if !bare || !url.username().is_empty() || url.password().is_some() {
            return Err(OriginError::NotBare(text.to_string()));
        }
        if url.host().is_none() {
            return Err(OriginError::NoHost(text.to_string()));
        }
        Ok(Origin(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a request's `Origin` header names this origin.
    pub fn matches(&self, header: &[u8]) -> bool {
        self.0.as_bytes() == header
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_kept_as_browsers_send_them() {
        let cases = [
            ("https://Shop.Example", "https://shop.example"),
            ("https://shop.example/", "https://shop.example"),
            ("https://shop.example:443", "https://shop.example"),
            ("http://localhost:5173", "http://localhost:5173"),
            (" http://127.0.0.1:8080 ", "http://127.0.0.1:8080"),
        ];
        for (text, serialised) in cases {
            assert_eq!(Origin::parse(text).unwrap().as_str(), serialised, "{text}");
        }
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "",
            "*",
            "shop.example",
            "ftp://shop.example",
            "https://shop.example/path",
            "https://shop.example/?q=1",
            "https://user@shop.example",
            "javascript:alert(1)",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_header_matches_byte_for_byte() {
        let origin = Origin::parse("https://shop.example").unwrap();
        assert!(origin.matches(b"https://shop.example"));
        assert!(!origin.matches(b"https://shop.example.evil"));
        assert!(!origin.matches(b"http://shop.example"));
    }
}
