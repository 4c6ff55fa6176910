use super::served::SEPARATOR;
use super::*;
use crate::usage::report::UNKNOWN_DEVICE;
use crate::usage::UsageEvent;

#[test]
fn a_served_value_splits_back_into_its_parts_even_when_the_name_holds_the_separator() {
    let event = UsageEvent {
        id: "evt".into(),
        kind: super::super::UsageKind::Impression,
        impression_id: "evt".into(),
        served: std::sync::Arc::new(crate::usage::ServedVariant {
            brand: "alpine".into(),
            entry_id: "ent".into(),
            entry_key: "home-hero".into(),
            variant_id: "var_1".into(),
            variant_name: format!("Odd{SEPARATOR}name"),
            revision: "rev_1".into(),
            experiment_id: "exp_1".into(),
            arm_id: "arm_1".into(),
        }),
        device: None,
        locale: "de-CH".into(),
        at: chrono::Utc::now(),
        user_key_hash: None,
        attributes: Default::default(),
        value: None,
    };
    let value = served_value(&event);
    let (brand, parts, name) = served_parts(&value);
    assert_eq!(brand, "alpine");
    assert_eq!(
        parts,
        [
            "home-hero",
            "var_1",
            "rev_1",
            UNKNOWN_DEVICE,
            "de-CH",
            "exp_1",
            "arm_1"
        ]
    );
    assert_eq!(name, event.served.variant_name);
    assert_eq!(served_enrollment(&value), ("exp_1", "arm_1"));
}

#[test]
fn days_are_counted_from_the_epoch_in_utc() {
    let day = |micros: i64| day_number(TantivyDate::from_timestamp_micros(micros));
    assert_eq!(day(0), 0);
    assert_eq!(day(DAY_MICROS - 1), 0);
    assert_eq!(day(DAY_MICROS), 1);
    assert_eq!(day(-1), -1, "before 1970 a day still starts at midnight");
}
