//! Keeping webhooks off private networks (SSRF). A target must be `http(s)` and every address
//! its host resolves to must be globally reachable, unless the operator allows private targets
//! (`webhooks_allow_private`). The check runs when a webhook is registered and again, through
//! [`GuardedResolver`], whenever a delivery connects: the HTTP client connects only to the
//! addresses that check kept, so a host that passed registration and later resolves to a
//! private address (DNS rebinding, or a name that always did, such as `localhost`) is refused at
//! that moment.
//!
//! # What counts as globally reachable
//!
//! [`is_global`] follows the IANA IPv4 and IPv6 Special-Purpose Address Registries: an address
//! in a block whose "Globally Reachable" column is not `True` is refused (loopback, private and
//! shared ranges, link-local, benchmarking `198.18.0.0/15`, reserved `240.0.0.0/4`, the IETF
//! protocol assignments, documentation, discard-only, …), and so is multicast. IPv6 is allowed
//! only in global unicast space (`2000::/3`), less that registry's blocks. Forms that carry an
//! IPv4 address are unwrapped and judged by it: IPv4-mapped `::ffff:a.b.c.d`, NAT64
//! `64:ff9b::a.b.c.d` and 6to4 `2002:AABB:CCDD::`. The forms that reach through a translator or
//! tunnel whose far side cannot be judged are refused whatever they carry: IPv4-compatible
//! `::a.b.c.d` (deprecated), IPv4-translated `::ffff:0:a.b.c.d`, the local-use NAT64 prefix
//! `64:ff9b:1::/48`, and Teredo `2001::/32`.
//!
//! Why not a crate: std's `is_global` is still unstable. Of the crates that classify addresses,
//! `ipnet` only does prefix arithmetic; `ip_network` (0.4, unchanged for years) misses
//! `2001::/23`, the NAT64 and 6to4 forms and several IPv4 blocks; `iprfc` lists the registry
//! blocks but says itself that it is no SSRF defence and does not unwrap embedded IPv4. So the
//! rule is written here, on std's stable classifiers plus the registry's remaining blocks, and
//! the tests below walk every registry row.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// Whether an address is reachable only privately, or is not a unicast address the Internet
/// routes: the opposite of [`is_global`].
pub fn is_private(ip: IpAddr) -> bool {
    !is_global(ip)
}

/// Whether a webhook may connect to `ip`: see the module's documentation.
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

/// `a.b.c.d` is in `net/len`.
fn in_v4(ip: Ipv4Addr, net: [u8; 4], len: u32) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

/// `ip` is in `net/len`.
fn in_v6(ip: Ipv6Addr, net: [u16; 8], len: u32) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// IANA IPv4 Special-Purpose Address Registry rows that are not globally reachable and that
/// std's stable classifiers do not cover (those are checked in [`is_global_v4`]).
const V4_NOT_GLOBAL: &[([u8; 4], u32)] = &[
    ([0, 0, 0, 0], 8),      // "this network"
    ([100, 64, 0, 0], 10),  // shared address space (carrier-grade NAT)
    ([192, 0, 0, 0], 24),   // IETF protocol assignments (two anycast exceptions below)
    ([192, 88, 99, 0], 24), // deprecated 6to4 relay anycast
    ([198, 18, 0, 0], 15),  // benchmarking
    ([240, 0, 0, 0], 4),    // reserved for future use (and the limited broadcast)
];

/// Rows inside [`V4_NOT_GLOBAL`] blocks that the registry marks globally reachable.
const V4_GLOBAL_EXCEPTIONS: &[[u8; 4]] = &[
    [192, 0, 0, 9],  // Port Control Protocol anycast
    [192, 0, 0, 10], // Traversal Using Relays around NAT anycast
];

fn is_global_v4(ip: Ipv4Addr) -> bool {
    if V4_GLOBAL_EXCEPTIONS.contains(&ip.octets()) {
        return true;
    }
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || V4_NOT_GLOBAL.iter().any(|&(net, len)| in_v4(ip, net, len)))
}

/// IANA IPv6 Special-Purpose Address Registry rows inside `2000::/3` that are not globally
/// reachable (everything outside `2000::/3` is refused already).
const V6_NOT_GLOBAL: &[([u16; 8], u32)] = &[
    ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments (exceptions below)
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
    ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation
    ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16), // segment routing (SRv6) SIDs
];

/// Rows inside `2001::/23` that the registry marks globally reachable. Teredo (`2001::/32`) and
/// benchmarking (`2001:2::/48`) are not among them.
const V6_GLOBAL_EXCEPTIONS: &[([u16; 8], u32)] = &[
    ([0x2001, 1, 0, 0, 0, 0, 0, 1], 128), // Port Control Protocol anycast
    ([0x2001, 1, 0, 0, 0, 0, 0, 2], 128), // TURN anycast
    ([0x2001, 1, 0, 0, 0, 0, 0, 3], 128), // DNS-SD service registration protocol anycast
    ([0x2001, 3, 0, 0, 0, 0, 0, 0], 32),  // AMT
    ([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48), // AS112-v6
    ([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28), // ORCHIDv2
    ([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28), // drone remote ID protocol entity tags
];

fn is_global_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_global_v4(v4);
    }
    if !in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        // Loopback, unspecified, IPv4-compatible and -translated, local-use NAT64, discard-only,
        // unique local, link-local, site-local, multicast, and space not yet allocated.
        return false;
    }
    if V6_GLOBAL_EXCEPTIONS
        .iter()
        .any(|&(net, len)| in_v6(ip, net, len))
    {
        return true;
    }
    !V6_NOT_GLOBAL.iter().any(|&(net, len)| in_v6(ip, net, len))
}

/// The IPv4 address an IPv6 address stands for, in the forms judged by that address:
/// IPv4-mapped (`::ffff:0:0/96`), the well-known NAT64 prefix (`64:ff9b::/96`) and 6to4
/// (`2002::/16`, the IPv4 address in bits 16–47).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let bits = u128::from(ip);
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return Some(Ipv4Addr::from(bits as u32));
    }
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        return Some(Ipv4Addr::from((bits >> 80) as u32));
    }
    None
}

/// Resolves `host:port`, keeping only the addresses a webhook may reach.
pub fn resolve(netloc: &str, allow_private: bool) -> io::Result<Vec<SocketAddr>> {
    let all: Vec<SocketAddr> = netloc.to_socket_addrs()?.collect();
    let allowed: Vec<SocketAddr> = all
        .iter()
        .copied()
        .filter(|a| allow_private || is_global(a.ip()))
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
    let refused = || {
        "the target is on a private, loopback or reserved network; an operator must allow that (webhooks_allow_private)".to_string()
    };
    // An address literal is judged as it is, before any lookup.
    let literal = match url.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        _ => None,
    };
    if let Some(ip) = literal {
        if !allow_private && !is_global(ip) {
            return Err(refused());
        }
        return Ok(url);
    }
    resolve(&format!("{host}:{port}"), allow_private).map_err(|e| match e.kind() {
        io::ErrorKind::PermissionDenied => refused(),
        _ => format!("cannot resolve {host}"),
    })?;
    Ok(url)
}

/// A resolver for the HTTP client that applies the same rule at connect time: the client
/// connects only to the addresses returned here.
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

    fn global(text: &str) -> bool {
        is_global(text.parse().unwrap())
    }

    #[test]
    fn private_and_loopback_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9/x",
            "http://10.1.2.3/x",
            "http://[::1]:80/",
            "http://169.254.169.254/latest",
            "http://localhost/",
            "http://[::127.0.0.1]/",
            "http://[::ffff:0:127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://198.18.0.1/",
            "http://240.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(check_url(url, false).is_err(), "{url}");
        }
        assert!(check_url("http://127.0.0.1:9/x", true).is_ok());
        assert!(check_url("http://[2002:7f00:1::]/", true).is_ok());
        assert!(check_url("http://93.184.216.34/", false).is_ok());
        assert!(check_url("http://[2606:2800:220:1::]/", false).is_ok());
        assert!(check_url("ftp://example.com/", true).is_err());
        assert!(check_url("http://user:pw@127.0.0.1/", true).is_err());
    }

    #[test]
    fn public_addresses_are_not_private() {
        assert!(!is_private("93.184.216.34".parse().unwrap()));
        assert!(is_private("192.168.1.1".parse().unwrap()));
        assert!(is_private("::ffff:127.0.0.1".parse().unwrap()));
    }

    /// Every row of the IANA IPv4 Special-Purpose Address Registry (first, last or a middle
    /// address), with its "Globally Reachable" answer; N/A and deprecated rows are refused.
    #[test]
    fn ipv4_follows_the_special_purpose_registry() {
        for (ip, expected) in [
            ("0.0.0.0", false),
            ("0.255.255.255", false),
            ("10.0.0.0", false),
            ("10.255.255.255", false),
            ("100.64.0.0", false),
            ("100.127.255.255", false),
            ("127.0.0.1", false),
            ("127.255.255.254", false),
            ("169.254.0.1", false),
            ("172.16.0.0", false),
            ("172.31.255.255", false),
            ("192.0.0.0", false),
            ("192.0.0.8", false),
            ("192.0.0.9", true),
            ("192.0.0.10", true),
            ("192.0.0.170", false),
            ("192.0.0.171", false),
            ("192.0.0.255", false),
            ("192.0.2.1", false),
            ("192.31.196.1", true),
            ("192.52.193.1", true),
            ("192.88.99.1", false),
            ("192.88.99.2", false),
            ("192.168.0.1", false),
            ("192.175.48.1", true),
            ("198.18.0.0", false),
            ("198.19.255.255", false),
            ("198.51.100.1", false),
            ("203.0.113.1", false),
            ("224.0.0.1", false),
            ("239.255.255.255", false),
            ("240.0.0.0", false),
            ("254.255.255.255", false),
            ("255.255.255.255", false),
            // Neighbours of the blocks stay public.
            ("1.1.1.1", true),
            ("9.255.255.255", true),
            ("11.0.0.0", true),
            ("100.63.255.255", true),
            ("100.128.0.0", true),
            ("172.15.255.255", true),
            ("172.32.0.0", true),
            ("192.0.1.0", true),
            ("198.17.255.255", true),
            ("198.20.0.0", true),
            ("223.255.255.255", true),
        ] {
            assert_eq!(global(ip), expected, "{ip}");
        }
    }

    /// Every row of the IANA IPv6 Special-Purpose Address Registry, and the embedded-IPv4 forms.
    #[test]
    fn ipv6_follows_the_special_purpose_registry_and_unwraps_ipv4() {
        for (ip, expected) in [
            ("::", false),
            ("::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:93.184.216.34", true),
            // IPv4-compatible and -translated: refused whatever they carry.
            ("::127.0.0.1", false),
            ("::93.184.216.34", false),
            ("::ffff:0:127.0.0.1", false),
            ("::ffff:0:93.184.216.34", false),
            // NAT64, well-known prefix: judged by the IPv4 address.
            ("64:ff9b::7f00:1", false),
            ("64:ff9b::a00:1", false),
            ("64:ff9b::c612:1", false),
            ("64:ff9b::5db8:d822", true),
            // Local-use NAT64 prefix.
            ("64:ff9b:1::5db8:d822", false),
            ("100::1", false),
            ("100:0:0:1::1", false),
            // IETF protocol assignments, Teredo, benchmarking, ORCHID.
            ("2001::1", false),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false),
            ("2001:1::1", true),
            ("2001:1::2", true),
            ("2001:1::3", true),
            ("2001:1::4", false),
            ("2001:2::1", false),
            ("2001:3::1", true),
            ("2001:4:112::1", true),
            ("2001:10::1", false),
            ("2001:20::1", true),
            ("2001:30::1", true),
            ("2001:1ff::1", false),
            ("2001:200::1", true),
            ("2001:db8::1", false),
            // 6to4: judged by the IPv4 address in bits 16–47.
            ("2002:7f00:1::", false),
            ("2002:a00:1::1", false),
            ("2002:c0a8:101::1", false),
            ("2002:5db8:d822::1", true),
            ("2620:4f:8000::1", true),
            ("3fff::1", false),
            ("3fff:fff::1", false),
            ("3fff:1000::1", true),
            ("5f00::1", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("fec0::1", false),
            ("ff02::1", false),
            ("ff0e::1", false),
            ("4000::1", false),
            ("2606:2800:220:1:248:1893:25c8:1946", true),
            ("2a00:1450:4001:800::200e", true),
        ] {
            assert_eq!(global(ip), expected, "{ip}");
        }
    }
}
