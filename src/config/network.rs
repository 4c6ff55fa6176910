//! The settings about who is on the other end of a connection: `trusted_proxies` (whose
//! `X-Forwarded-For` is believed) and `cors_origins` (which browser origins may call the API).
//! Both are lists, written in a config file as TOML arrays and in a variable comma-separated.

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize};
use std::net::IpAddr;

use super::ConfigError;
use crate::domain::origin::Origin;

/// A list setting as read: a TOML array, or one string of comma-separated items.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StringList(pub Vec<String>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            One(String),
            Many(Vec<String>),
        }
        let items = match Either::deserialize(deserializer)? {
            Either::One(text) => text.split(',').map(str::to_owned).collect(),
            Either::Many(items) => items,
        };
        let items = items
            .iter()
            .map(|i| i.trim())
            .filter(|i| !i.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(StringList(items))
    }
}

/// The proxies whose `X-Forwarded-For` names the client: addresses and CIDR ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn parse(list: &StringList) -> Result<TrustedProxies, ConfigError> {
        let nets = list
            .0
            .iter()
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        ConfigError::new(
                            "trusted_proxies",
                            format!("`{item}` is neither an IP address nor a CIDR range"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `addr` is one of the proxies (an IPv4-mapped IPv6 address counts as its IPv4).
    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        self.0.iter().any(|net| net.contains(&addr))
    }
}

/// Which browser origins get CORS grants on `/graphql`, `/delivery/…` and `/assets/…`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// None (the default): browsers on other origins cannot read answers.
    #[default]
    Nobody,
    /// `*`: every origin.
    Any,
    Only(Vec<Origin>),
}

impl CorsOrigins {
    pub fn parse(list: &StringList) -> Result<CorsOrigins, ConfigError> {
        if list.0.is_empty() {
            return Ok(CorsOrigins::Nobody);
        }
        if list.0.iter().any(|item| item == "*") {
            if list.0.len() > 1 {
                return Err(ConfigError::new(
                    "cors_origins",
                    "`*` stands alone: it already allows every origin",
                ));
            }
            return Ok(CorsOrigins::Any);
        }
        let origins = list
            .0
            .iter()
            .map(|item| {
                Origin::parse(item).map_err(|e| ConfigError::new("cors_origins", e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok(CorsOrigins::Only(origins))
    }

    /// Whether a request's `Origin` header is allowed.
    pub fn allows(&self, header: &[u8]) -> bool {
        match self {
            CorsOrigins::Nobody => false,
            CorsOrigins::Any => true,
            CorsOrigins::Only(list) => list.iter().any(|o| o.matches(header)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> StringList {
        StringList(items.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn a_list_is_an_array_or_comma_separated_text() {
        let from_text: StringList = serde_json::from_str(r#"" 10.0.0.1, 10.1.0.0/16 ,""#).unwrap();
        assert_eq!(from_text, list(&["10.0.0.1", "10.1.0.0/16"]));
        let from_array: StringList = serde_json::from_str(r#"["*"]"#).unwrap();
        assert_eq!(from_array, list(&["*"]));
    }

    #[test]
    fn proxies_are_addresses_or_ranges() {
        let proxies = TrustedProxies::parse(&list(&["10.0.0.1", "192.168.0.0/16", "::1"])).unwrap();
        for inside in ["10.0.0.1", "192.168.4.2", "::1", "::ffff:10.0.0.1"] {
            assert!(proxies.contains(inside.parse().unwrap()), "{inside}");
        }
        assert!(!proxies.contains("10.0.0.2".parse().unwrap()));
        for bad in ["10.0.0", "proxy.internal", "10.0.0.0/33"] {
            assert_eq!(
                TrustedProxies::parse(&list(&[bad])).unwrap_err().key,
                "trusted_proxies"
            );
        }
    }

    #[test]
    fn cors_origins_are_origins_or_a_lone_star() {
        assert_eq!(CorsOrigins::parse(&list(&[])).unwrap(), CorsOrigins::Nobody);
        assert_eq!(CorsOrigins::parse(&list(&["*"])).unwrap(), CorsOrigins::Any);
        let some = CorsOrigins::parse(&list(&["https://Shop.example/"])).unwrap();
        assert!(some.allows(b"https://shop.example"));
        assert!(!some.allows(b"https://evil.example"));
        for bad in [&["*", "https://a.example"][..], &["shop.example"]] {
            assert_eq!(
                CorsOrigins::parse(&list(bad)).unwrap_err().key,
                "cors_origins"
            );
        }
    }
}
