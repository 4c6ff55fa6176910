//! Which address a request comes from, for sign-in throttling.
//!
//! Behind no proxy, or when the connection does not come from one of `trusted_proxies`, it is
//! the connection's peer and `X-Forwarded-For` is ignored (any client may send one). When the
//! peer is a trusted proxy, the header is read from the right: each proxy appends the address it
//! was connected from, so the right-most entry that is not itself a trusted proxy is the first
//! address no trusted proxy vouches for beyond — the client. Entries left of it could have been
//! written by the client and are never believed. A header that is malformed at that point, or
//! that names only trusted proxies, leaves the left-most trusted hop as the best known address.

use std::net::IpAddr;

use crate::config::network::TrustedProxies;

/// The client's address given the connection's `peer` and every `X-Forwarded-For` header
/// value, in the order received.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    proxies: &TrustedProxies,
) -> IpAddr {
    if proxies.is_empty() || !proxies.contains(peer) {
        return peer;
    }
    let mut client = peer;
    let hops = forwarded_for.rev().flat_map(|value| value.rsplit(','));
    for hop in hops {
        let Some(addr) = parse_hop(hop) else {
            return client;
        };
        if !proxies.contains(addr) {
            return addr.to_canonical();
        }
        client = addr;
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`[::1]:443`, `1.2.3.4:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(addr) = hop.parse::<IpAddr>() {
        return Some(addr);
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::network::StringList;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&StringList(list.iter().map(|s| s.to_string()).collect())).unwrap()
    }

    fn client(peer: &str, headers: &[&str], trusted: &[&str]) -> String {
        client_address(
            peer.parse().unwrap(),
            headers.iter().copied(),
            &proxies(trusted),
        )
        .to_string()
    }

    #[test]
    fn the_header_is_ignored_unless_the_peer_is_a_trusted_proxy() {
        assert_eq!(client("203.0.113.9", &["198.51.100.1"], &[]), "203.0.113.9");
        assert_eq!(
            client("203.0.113.9", &["198.51.100.1"], &["10.0.0.1"]),
            "203.0.113.9"
        );
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = ["10.0.0.0/8"];
        let spoofed = "6.6.6.6, 198.51.100.7, 10.1.1.1";
        assert_eq!(client("10.0.0.1", &[spoofed], &trusted), "198.51.100.7");
        assert_eq!(
            client("10.0.0.1", &["6.6.6.6", "198.51.100.7:4711"], &trusted),
            "198.51.100.7"
        );
        assert_eq!(
            client("10.0.0.1", &["[2001:db8::1]:443"], &trusted),
            "2001:db8::1"
        );
    }

    #[test]
    fn a_header_of_only_proxies_or_garbage_falls_back_to_the_last_trusted_hop() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(client("10.0.0.1", &["10.2.2.2"], &trusted), "10.2.2.2");
        assert_eq!(client("10.0.0.1", &["garbage"], &trusted), "10.0.0.1");
        assert_eq!(client("10.0.0.1", &[], &trusted), "10.0.0.1");
    }
}
