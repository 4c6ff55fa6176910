//! A brand's preview URL: the template "Open preview" fills in to show a variant's draft on the
//! brand's real site, e.g. `https://site.example/{key}?vary_preview={token}` (`{key}` the entry's
//! key, `{token}` a preview delivery key's token).

/// The longest template a brand may set.
pub const MAX_PREVIEW_URL: usize = 2_000;

/// Why a preview URL template is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreviewUrlError {
    #[error("previewUrl: at most {} characters", MAX_PREVIEW_URL)]
    TooLong,
    #[error("previewUrl: must not contain spaces or control characters")]
    Spaces,
    #[error("previewUrl: must contain {{key}}, where the entry's key goes (e.g. https://site.example/{{key}}?vary_preview={{token}})")]
    NoKey,
    #[error("previewUrl: not an absolute URL ({0})")]
    NotAbsolute(url::ParseError),
    #[error("previewUrl: must start with http:// or https://, not {0}:")]
    Scheme(String),
    #[error("previewUrl: must name a host")]
    NoHost,
    #[error("previewUrl: the host must be the site's own, not {{key}} or {{token}}")]
    PlaceholderHost,
}

/// Checks a preview URL template: `{key}` in it, and an absolute `http(s)` URL with a host once
/// `{key}` and `{token}` are filled in. Answers it trimmed.
pub fn check_preview_url(template: &str) -> Result<String, PreviewUrlError> {
    let template = template.trim();
    if template.len() > MAX_PREVIEW_URL {
        return Err(PreviewUrlError::TooLong);
    }
    if template
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(PreviewUrlError::Spaces);
    }
    if !template.contains("{key}") {
        return Err(PreviewUrlError::NoKey);
    }
    // Placeholders filled with a marker, so a host made from them shows.
    const MARKER: &str = "vary-placeholder";
    let filled = template.replace("{key}", MARKER).replace("{token}", MARKER);
    let url = url::Url::parse(&filled).map_err(PreviewUrlError::NotAbsolute)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(PreviewUrlError::Scheme(url.scheme().to_string()));
    }
    match url.host_str() {
        None | Some("") => return Err(PreviewUrlError::NoHost),
        Some(host) if host.contains(MARKER) => return Err(PreviewUrlError::PlaceholderHost),
        Some(_) => {}
    }
    Ok(template.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_with_key_and_token_is_kept() {
        let t = " https://site.example/{key}?vary_preview={token} ";
        assert_eq!(
            check_preview_url(t).unwrap(),
            "https://site.example/{key}?vary_preview={token}"
        );
        assert!(check_preview_url("http://localhost:3000/p/{key}").is_ok());
        assert!(check_preview_url("https://site.example/{key}#{token}").is_ok());
    }

    #[test]
    fn other_schemes_missing_key_and_junk_are_refused() {
        for bad in [
            "javascript:alert(1)//{key}",
            "ftp://site.example/{key}",
            "https://site.example/page",
            "/relative/{key}",
            "https:///{key}",
            "https://{key}.site.example/",
            "https://{token}/{key}",
            "https://site.example/{key} x",
            "",
        ] {
            assert!(check_preview_url(bad).is_err(), "{bad} was accepted");
        }
        let long = format!(
            "https://site.example/{{key}}?{}",
            "a".repeat(MAX_PREVIEW_URL)
        );
        assert!(check_preview_url(&long).is_err());
    }
}
