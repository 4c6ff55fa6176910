//! Filling in what the context leaves out from the request: the device from the User-Agent and
//! the `Sec-CH-UA-Mobile` client hint, the locale from `Accept-Language`.

use crate::domain::device::Device;

/// The device a request comes from; `None` when it cannot be told.
///
/// `Sec-CH-UA-Mobile: ?1` is the browser's own word that it is a phone. Otherwise the
/// User-Agent is parsed with woothee, refined for tablets and TVs, which woothee folds into
/// its phone and appliance categories.
pub fn device_from_headers(user_agent: Option<&str>, ch_mobile: Option<&str>) -> Option<Device> {
    if ch_mobile.map(str::trim) == Some("?1") {
        return Some(Device::Mobile);
    }
    let ua = user_agent.filter(|ua| !ua.trim().is_empty())?;
    if ua.len() > MAX_CACHED_USER_AGENT {
        return classify(ua);
    }
    // Apps and browsers send a few distinct User-Agents many times over: each worker thread
    // keeps the answers for the most recent ones, with no lock on the delivery path.
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some(device) = recent.get(ua) {
            return *device;
        }
        let device = classify(ua);
        recent.put(ua.to_string(), device);
        device
    })
}

/// User-Agents remembered per thread, and the longest one worth remembering.
const RECENT_USER_AGENTS: usize = 256;
const MAX_CACHED_USER_AGENT: usize = 512;

thread_local! {
    static RECENT: std::cell::RefCell<lru::LruCache<String, Option<Device>>> = std::cell::RefCell::new(
        lru::LruCache::new(std::num::NonZeroUsize::new(RECENT_USER_AGENTS).expect("non-zero")),
    );
}

fn classify(ua: &str) -> Option<Device> {
    if is_tv(ua) {
        return Some(Device::Tv);
    }
    if is_tablet(ua) {
        return Some(Device::Tablet);
    }
    let parsed = woothee::parser::Parser::new().parse(ua)?;
    match parsed.category {
        "smartphone" | "mobilephone" => Some(Device::Mobile),
        "pc" => Some(Device::Desktop),
        "appliance" => Some(Device::Other),
        _ => None,
    }
}

fn is_tv(ua: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "SmartTV", "SMART-TV", "AppleTV", "GoogleTV", "HbbTV", "CrKey", "Web0S", "BRAVIA", "AFTB",
    ];
    MARKERS.iter().any(|m| ua.contains(m)) || (ua.contains("Tizen") && ua.contains("TV"))
}

fn is_tablet(ua: &str) -> bool {
    ua.contains("iPad")
        || ua.contains("Tablet")
        || (ua.contains("Android") && !ua.contains("Mobile"))
}

/// The locale to ask for: the first language of `Accept-Language` (by quality) that the brand
/// offers, exactly or by its language; else the visitor's first choice, for the tiers to settle.
pub fn locale_from_accept_language(
    header: Option<&str>,
    brand_locales: &[String],
) -> Option<String> {
    let wanted = accept_language::parse(header?);
    let offered = |tag: &str| {
        let language = tag.split('-').next().unwrap_or(tag);
        brand_locales.iter().any(|l| {
            l.eq_ignore_ascii_case(tag)
                || l.split('-')
                    .next()
                    .is_some_and(|b| b.eq_ignore_ascii_case(language))
        })
    };
    wanted
        .iter()
        .find(|tag| tag.as_str() != "*" && offered(tag))
        .or_else(|| wanted.iter().find(|t| t.as_str() != "*"))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
    const MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";

    #[test]
    fn a_remembered_user_agent_answers_as_a_fresh_one() {
        let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";
        let pc = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
        for _ in 0..3 {
            assert_eq!(device_from_headers(Some(phone), None), Some(Device::Mobile));
            assert_eq!(device_from_headers(Some(pc), None), Some(Device::Desktop));
            assert_eq!(
                device_from_headers(Some(pc), Some("?1")),
                Some(Device::Mobile),
                "the hint wins over a remembered answer"
            );
        }
        let long = format!("{pc} {}", "x".repeat(600));
        assert_eq!(
            device_from_headers(Some(&long), None),
            Some(Device::Desktop)
        );
    }

    #[test]
    fn user_agents_map_to_devices() {
        assert_eq!(
            device_from_headers(Some(IPHONE), None),
            Some(Device::Mobile)
        );
        assert_eq!(device_from_headers(Some(IPAD), None), Some(Device::Tablet));
        assert_eq!(device_from_headers(Some(MAC), None), Some(Device::Desktop));
        assert_eq!(
            device_from_headers(
                Some("Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) TV Safari"),
                None
            ),
            Some(Device::Tv)
        );
        assert_eq!(device_from_headers(None, None), None);
    }

    #[test]
    fn the_mobile_client_hint_wins() {
        assert_eq!(
            device_from_headers(Some(MAC), Some("?1")),
            Some(Device::Mobile)
        );
    }

    #[test]
    fn accept_language_prefers_what_the_brand_offers() {
        let brand = vec!["en".to_string(), "de".to_string()];
        assert_eq!(
            locale_from_accept_language(Some("fr;q=0.9, de-CH, en;q=0.5"), &brand).as_deref(),
            Some("de-CH")
        );
        assert_eq!(
            locale_from_accept_language(Some("fr"), &brand).as_deref(),
            Some("fr")
        );
        assert_eq!(locale_from_accept_language(None, &brand), None);
    }
}
