use super::*;
use crate::usage::event::{UsageEvent, UsageKind};
use chrono::{DateTime, Utc};

/// An event of brand `alpine`, entry `home-hero`, whose variant names its name and revision.
pub(crate) fn event(
    id: &str,
    kind: UsageKind,
    variant: &str,
    device: Option<&str>,
    at: &str,
) -> UsageEvent {
    UsageEvent {
        id: id.into(),
        kind,
        impression_id: id.into(),
        served: std::sync::Arc::new(crate::usage::ServedVariant {
            brand: "alpine".into(),
            entry_id: "ent_1".into(),
            entry_key: "home-hero".into(),
            variant_id: variant.into(),
            variant_name: format!("name of {variant}"),
            revision: format!("rev-{variant}"),
            ..Default::default()
        }),
        device: device.map(|d| std::borrow::Cow::Owned(d.to_string())),
        locale: "en".into(),
        at: DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Utc),
        user_key_hash: None,
        attributes: Default::default(),
        value: None,
    }
}

fn sample() -> Vec<UsageEvent> {
    use UsageKind::*;
    vec![
        event("1", Impression, "a", Some("MOBILE"), "2026-03-01T10:00:00Z"),
        event("2", Impression, "a", Some("MOBILE"), "2026-03-01T11:00:00Z"),
        event("3", Impression, "a", None, "2026-03-02T10:00:00Z"),
        event(
            "4",
            Impression,
            "a",
            Some("DESKTOP"),
            "2026-03-02T10:00:00Z",
        ),
        event("5", Click, "a", Some("MOBILE"), "2026-03-02T10:00:00Z"),
        event("6", Conversion, "a", Some("MOBILE"), "2026-03-02T10:00:00Z"),
        event("7", Click, "b", Some("MOBILE"), "2026-03-02T10:00:00Z"),
    ]
}

#[test]
fn rates_are_fractions_of_impressions_and_zero_without_any() {
    let rows = aggregate(&sample(), &[UsageDimension::Variant]);
    assert_eq!(rows.len(), 2);
    let a = &rows[0];
    assert_eq!(
        (
            a.variant_id.as_deref(),
            a.impressions,
            a.clicks,
            a.conversions
        ),
        (Some("a"), 4, 1, 1)
    );
    assert_eq!((a.ctr, a.conversion_rate), (0.25, 0.25));
    assert_eq!(a.variant_name.as_deref(), Some("name of a"));
    let b = &rows[1];
    assert_eq!(
        (b.impressions, b.clicks, b.ctr, b.conversion_rate),
        (0, 1, 0.0, 0.0)
    );
    assert_eq!(b.entry_key, None, "not grouped by entry");
}

#[test]
fn grouping_by_nothing_gives_one_total_row() {
    let rows = aggregate(&sample(), &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].impressions, rows[0].clicks, rows[0].conversions),
        (4, 2, 1)
    );
}

#[test]
fn days_devices_and_their_combinations_split_rows() {
    let by_day = aggregate(&sample(), &[UsageDimension::Day]);
    let days: Vec<_> = by_day
        .iter()
        .map(|r| (r.day.clone().unwrap(), r.impressions))
        .collect();
    assert_eq!(
        days,
        [("2026-03-01".to_string(), 2), ("2026-03-02".to_string(), 2)]
    );
    let by_device = aggregate(&sample(), &[UsageDimension::Device, UsageDimension::Day]);
    assert!(by_device
        .iter()
        .any(|r| r.device.as_deref() == Some(UNKNOWN_DEVICE) && r.impressions == 1));
    assert_eq!(by_device.iter().map(|r| r.impressions).sum::<i64>(), 4);
}

#[test]
fn group_by_parses_names_in_any_case_and_refuses_others() {
    use UsageDimension::*;
    assert_eq!(
        parse_group_by("variant, DAY,variant").unwrap(),
        [Variant, Day]
    );
    assert_eq!(parse_group_by("").unwrap(), []);
    assert!(parse_group_by("entry,colour")
        .unwrap_err()
        .contains("colour"));
    for d in UsageDimension::ALL {
        assert_eq!(UsageDimension::parse(d.as_str()), Some(d));
    }
}

#[test]
fn csv_has_the_contract_header_and_one_line_per_row_without_totals() {
    assert_eq!(
        String::from_utf8(csv_header()).unwrap(),
        "entryKey,variantId,variantName,revision,device,day,locale,experimentId,experimentName,armId,armName,impressions,clicks,conversions,conversionValue,ctr,conversionRate\n"
    );
    let rows = aggregate(&sample(), &[UsageDimension::Entry, UsageDimension::Variant]);
    let lines: Vec<String> = rows
        .iter()
        .map(|r| String::from_utf8(csv_row(r)).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        "home-hero,a,name of a,,,,,,,,,4,1,1,0,0.25,0.25\n"
    );
    assert_eq!(lines.len(), 2);
}

#[test]
fn csv_escapes_text_a_spreadsheet_would_compute_but_not_numbers() {
    let mut event = event(
        "1",
        UsageKind::Conversion,
        "a",
        None,
        "2026-03-01T10:00:00Z",
    );
    let mut served = (*event.served).clone();
    served.variant_name = "=HYPERLINK(\"http://evil\",\"x\")".into();
    served.entry_key = "-home".into();
    event.served = std::sync::Arc::new(served);
    event.value = Some(-12.5);
    let rows = aggregate(&[event], &[UsageDimension::Entry, UsageDimension::Variant]);
    assert_eq!(
        String::from_utf8(csv_row(&rows[0])).unwrap(),
        "'-home,a,\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",,,,,,,,,0,0,1,-12.5,0,0\n"
    );
}

#[test]
fn clicks_and_conversions_count_answers_and_values_sum_every_conversion() {
    use UsageKind::*;
    let at = "2026-03-01T10:00:00Z";
    let on = |id: &str, kind, impression: &str, value: Option<f64>| UsageEvent {
        impression_id: impression.into(),
        value,
        ..event(id, kind, "a", None, at)
    };
    let events = vec![
        on("i1", Impression, "i1", None),
        on("i2", Impression, "i2", None),
        // Six clicks on one answer are one answer clicked.
        on("c1", Click, "i1", None),
        on("c2", Click, "i1", None),
        on("c3", Click, "i1", None),
        on("c4", Click, "i1", None),
        on("c5", Click, "i1", None),
        on("c6", Click, "i1", None),
        // Two conversions of one answer: one answer converted, both values summed.
        on("v1", Conversion, "i2", Some(10.0)),
        on("v2", Conversion, "i2", Some(2.5)),
        // The same event stored twice (a resent id) counts once.
        on("v2", Conversion, "i2", Some(2.5)),
    ];
    let rows = aggregate(&events, &[]);
    let row = &rows[0];
    assert_eq!((row.impressions, row.clicks, row.conversions), (2, 1, 1));
    assert_eq!(row.conversion_value, 12.5);
    assert_eq!((row.ctr, row.conversion_rate), (0.5, 0.5));
}
