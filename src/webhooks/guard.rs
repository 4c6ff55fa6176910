//! Keeping webhooks off private networks (SSRF). A target must be `http(s)` and every address
//! its host resolves to must be public, unless the operator allows private targets
//! (`webhooks_allow_private`). The check runs when a webhook is registered and again, through
//! [`GuardedResolver`], whenever a delivery connects — so a host that later resolves to a
//! private address is refused at that moment.

use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// Whether an address is reachable only privately (loopback, private ranges, link-local, …).
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64 // 100.64.0.0/10, shared
                || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Resolves `host:port`, keeping only the addresses a webhook may reach.
pub fn resolve(netloc: &str, allow_private: bool) -> io::Result<Vec<SocketAddr>> {
    let all: Vec<SocketAddr> = netloc.to_socket_addrs()?.collect();
    let allowed: Vec<SocketAddr> = all
        .iter()
        .copied()
        .filter(|a| allow_private || !is_private(a.ip()))
        .collect();
    if allowed.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{netloc} resolves only to private addresses"),
        ));
    }
    Ok(allowed)
}

/// Checks a webhook URL; the error says why it is refused.
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(raw).map_err(|_| format!("`{raw}` is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("a webhook URL must be http or https".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a webhook URL must not carry credentials".into());
    }
    let host = url.host_str().ok_or("a webhook URL needs a host")?;
    let port = url
        .port_or_known_default()
        .ok_or("a webhook URL needs a port")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    resolve(&format!("{host}:{port}"), allow_private).map_err(|e| match e.kind() {
        io::ErrorKind::PermissionDenied => {
            "the target is on a private or loopback network; an operator must allow that (webhooks_allow_private)".to_string()
        }
        _ => format!("cannot resolve {host}"),
    })?;
    Ok(url)
}

/// A resolver for the HTTP client that applies the same rule at connect time.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl ureq::Resolver for GuardedResolver {
    fn resolve(&self, netloc: &str) -> io::Result<Vec<SocketAddr>> {
        resolve(netloc, self.allow_private)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9/x",
            "http://10.1.2.3/x",
            "http://[::1]:80/",
            "http://169.254.169.254/latest",
            "http://localhost/",
        ] {
            assert!(check_url(url, false).is_err(), "{url}");
        }
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_url("ftp://example.com/", true).is_err());
        assert!(check_url("http://user:pw@127.0.0.1/", true).is_err());
    }

    #[test]
    fn public_addresses_are_not_private() {
        assert!(!is_private("93.184.216.34".parse().unwrap()));
        assert!(is_private("192.168.1.1".parse().unwrap()));
        assert!(is_private("::ffff:127.0.0.1".parse().unwrap()));
    }
}
