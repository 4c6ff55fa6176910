//! The visitor as resolution may see them, given their consent.
//!
//! The request's [`ConsentRequest`] is decided against the brand's `policy.consentRequired`
//! ([`decide`]). With personalization consent the visitor's attributes are read and their
//! device and locale filled in from the request's headers when the context leaves them out
//! ([`Visitor::of`]); without it the attributes are empty and the device unknown (neither taken
//! from the context nor detected), so only untargeted variants can win. The locale is not
//! personal: it is always used. Measurement consent is applied where the impression is made
//! (`usage::UsageRecorder::impression`).

use super::{detect, DeliveryContext, RequestHints};
use crate::domain::brand::Brand;
use crate::domain::consent::Consent;
use crate::domain::device::Device;
use crate::domain::rule::Attributes;

/// The consent `ctx` is served under in `brand`.
pub fn decide(ctx: &DeliveryContext, brand: &Brand) -> Consent {
    ctx.consent.effective(brand.policy.consent_required)
}

/// What resolution may know about the visitor.
pub(super) struct Visitor<'a> {
    pub attributes: Attributes<'a>,
    /// `None` when unknown, or without personalization consent.
    pub device: Option<Device>,
    pub locale: Option<String>,
    pub personalized: bool,
}

impl<'a> Visitor<'a> {
    /// The visitor of `ctx` under `consent`, filling in device and locale from `hints`.
    pub fn of(
        ctx: &'a DeliveryContext,
        hints: &RequestHints,
        brand: &Brand,
        consent: Consent,
    ) -> Visitor<'a> {
        let locale = ctx
            .locale
            .clone()
            .filter(|l| !l.trim().is_empty())
            .or_else(|| {
                detect::locale_from_accept_language(
                    hints.accept_language.as_deref(),
                    &brand.locales,
                )
            });
        if !consent.personalization {
            return Visitor {
                attributes: Attributes::EMPTY,
                device: None,
                locale,
                personalized: false,
            };
        }
        let device = ctx.device.or_else(|| {
            detect::device_from_headers(hints.user_agent.as_deref(), hints.ch_ua_mobile.as_deref())
        });
        Visitor {
            attributes: Attributes::new(&ctx.attributes),
            device,
            locale,
            personalized: true,
        }
    }
}
