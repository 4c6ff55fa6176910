//! The kinds of device a variant can target and a rendition can be sized for.
//!
//! A `Device` is what the contract's GraphQL `Device` enum names: `MOBILE`, `TABLET`, `DESKTOP`,
//! `TV` and `OTHER`. Detecting one from a User-Agent is the HTTP layer's business; here we only
//! name them, parse them and print them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A class of device, as the contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Device {
    Mobile,
    Tablet,
    Desktop,
    Tv,
    Other,
}

impl Device {
    /// Every device, in the contract's order.
    pub const ALL: [Device; 5] = [
        Device::Mobile,
        Device::Tablet,
        Device::Desktop,
        Device::Tv,
        Device::Other,
    ];

    /// The contract's name for the device: `MOBILE`, `TABLET`, `DESKTOP`, `TV` or `OTHER`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Device::Mobile => "MOBILE",
            Device::Tablet => "TABLET",
            Device::Desktop => "DESKTOP",
            Device::Tv => "TV",
            Device::Other => "OTHER",
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text named no device; it carries the text for the error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown device {0:?}: expected one of MOBILE, TABLET, DESKTOP, TV, OTHER")]
pub struct UnknownDevice(pub String);

impl FromStr for Device {
    type Err = UnknownDevice;

    /// Accepts the contract's names in any letter case (`mobile`, `Mobile`, `MOBILE`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Device::ALL
            .into_iter()
            .find(|device| device.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| UnknownDevice(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_device_parses_back_from_its_name() {
        for device in Device::ALL {
            assert_eq!(device.as_str().parse::<Device>(), Ok(device));
        }
    }

    #[test]
    fn parsing_ignores_letter_case() {
        assert_eq!("tablet".parse::<Device>(), Ok(Device::Tablet));
        assert_eq!("Tv".parse::<Device>(), Ok(Device::Tv));
    }

    #[test]
    fn an_unknown_name_is_refused() {
        let error = "phone".parse::<Device>().unwrap_err();
        assert!(error.to_string().contains("\"phone\""));
    }

    #[test]
    fn serde_uses_the_contract_names() {
        assert_eq!(
            serde_json::to_string(&Device::Desktop).unwrap(),
            "\"DESKTOP\""
        );
        let parsed: Device = serde_json::from_str("\"OTHER\"").unwrap();
        assert_eq!(parsed, Device::Other);
    }
}
