//! A visitor's consent: to personalization (choosing a variant by who they are) and to
//! measurement (storing what they were shown, linked to them).
//!
//! A request may state either half, both or neither ([`ConsentRequest`]); what it leaves out the
//! brand's `policy.consentRequired` decides ([`ConsentRequest::effective`]): a brand that requires
//! consent treats every missing half as withheld, one that does not as granted. Delivery then
//! resolves without the visitor's attributes, user key and device when personalization is
//! withheld, and stores no user key and no attributes with the impression when measurement is.

/// The consent a request states; `None` for a half it does not mention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsentRequest {
    pub personalization: Option<bool>,
    pub measurement: Option<bool>,
}

/// The consent a request is served under, each half decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consent {
    /// Whether the variant may be chosen by the visitor's attributes, user key and device.
    pub personalization: bool,
    /// Whether the impression may store the visitor's (hashed) user key and attributes.
    pub measurement: bool,
}

impl Consent {
    /// Both halves granted.
    pub const GRANTED: Consent = Consent {
        personalization: true,
        measurement: true,
    };
}

impl ConsentRequest {
    /// The consent to serve under: each stated half as stated, each missing one granted unless
    /// the brand requires consent (`consent_required`), then withheld.
    pub fn effective(self, consent_required: bool) -> Consent {
        let default = !consent_required;
        Consent {
            personalization: self.personalization.unwrap_or(default),
            measurement: self.measurement.unwrap_or(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_half_wins_over_the_brand_default() {
        let stated = ConsentRequest {
            personalization: Some(true),
            measurement: Some(false),
        };
        for required in [false, true] {
            assert_eq!(
                stated.effective(required),
                Consent {
                    personalization: true,
                    measurement: false
                }
            );
        }
    }

    #[test]
    fn a_missing_half_follows_the_brand_default() {
        let only_measurement = ConsentRequest {
            personalization: None,
            measurement: Some(true),
        };
        assert!(only_measurement.effective(false).personalization);
        assert!(!only_measurement.effective(true).personalization);
        assert_eq!(ConsentRequest::default().effective(false), Consent::GRANTED);
        assert_eq!(
            ConsentRequest::default().effective(true),
            Consent {
                personalization: false,
                measurement: false
            }
        );
    }
}
