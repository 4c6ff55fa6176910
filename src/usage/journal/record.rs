//! How the usage journal writes events: length- and checksum-framed records, so that a segment
//! cut short by a crash (or garbage a power cut left after its last synced byte) is read up to
//! its last whole record and no further.
//!
//! A record is `[length: u32 LE][CRC-32 of the body: u32 LE][body]`; the body is a kind byte and
//! JSON: an event (every field a report or the database needs, so replaying it stores exactly
//! what the queue would have), or the ids of events that were journaled but never queued
//! (their answer failed), which replay skips.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::usage::event::{ServedVariant, UsageEvent, UsageKind};

/// The longest body a record may claim; anything longer is garbage, not a record.
const MAX_BODY: usize = 16 << 20;
const HEADER: usize = 8;
const EVENT: u8 = 1;
const CANCEL: u8 = 2;

/// An event as the journal holds it, borrowing from the [`UsageEvent`] when written.
#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    id: Cow<'a, str>,
    kind: UsageKind,
    impression: Cow<'a, str>,
    brand: Cow<'a, str>,
    entry_id: Cow<'a, str>,
    entry_key: Cow<'a, str>,
    variant_id: Cow<'a, str>,
    variant_name: Cow<'a, str>,
    revision: Cow<'a, str>,
    /// The experiment and arm (empty outside experiments; absent in older journals).
    #[serde(default, skip_serializing_if = "str::is_empty")]
    experiment: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    arm: Cow<'a, str>,
    device: Option<Cow<'a, str>>,
    locale: Cow<'a, str>,
    secs: i64,
    nanos: u32,
    user: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    attributes: Cow<'a, Map<String, Value>>,
    value: Option<f64>,
}

impl<'a> Entry<'a> {
    fn of(e: &'a UsageEvent) -> Entry<'a> {
        let s = &*e.served;
        Entry {
            id: Cow::Borrowed(&e.id),
            kind: e.kind,
            impression: Cow::Borrowed(&e.impression_id),
            brand: Cow::Borrowed(&s.brand),
            entry_id: Cow::Borrowed(&s.entry_id),
            entry_key: Cow::Borrowed(&s.entry_key),
            variant_id: Cow::Borrowed(&s.variant_id),
            variant_name: Cow::Borrowed(&s.variant_name),
            revision: Cow::Borrowed(&s.revision),
            experiment: Cow::Borrowed(&s.experiment_id),
            arm: Cow::Borrowed(&s.arm_id),
            device: e.device.as_deref().map(Cow::Borrowed),
            locale: Cow::Borrowed(&e.locale),
            secs: e.at.timestamp(),
            nanos: e.at.timestamp_subsec_nanos(),
            user: e.user_key_hash.as_deref().map(Cow::Borrowed),
            attributes: Cow::Borrowed(&e.attributes),
            value: e.value,
        }
    }

    fn into_event(self) -> Option<UsageEvent> {
        Some(UsageEvent {
            id: self.id.into_owned(),
            kind: self.kind,
            impression_id: self.impression.into_owned(),
            served: Arc::new(ServedVariant {
                brand: self.brand.into_owned(),
                entry_id: self.entry_id.into_owned(),
                entry_key: self.entry_key.into_owned(),
                variant_id: self.variant_id.into_owned(),
                variant_name: self.variant_name.into_owned(),
                revision: self.revision.into_owned(),
                experiment_id: self.experiment.into_owned(),
                arm_id: self.arm.into_owned(),
            }),
            device: self.device.map(|d| Cow::Owned(d.into_owned())),
            locale: self.locale.into_owned(),
            at: DateTime::<Utc>::from_timestamp(self.secs, self.nanos)?,
            user_key_hash: self.user.map(Cow::into_owned),
            attributes: self.attributes.into_owned(),
            value: self.value,
        })
    }
}

/// Appends one framed record of `kind` whose JSON body `write` puts after the kind byte.
fn frame(out: &mut Vec<u8>, kind: u8, write: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER]);
    out.push(kind);
    write(out);
    let body = &out[start + HEADER..];
    let (length, crc) = (body.len() as u32, crc32fast::hash(body));
    out[start..start + 4].copy_from_slice(&length.to_le_bytes());
    out[start + 4..start + HEADER].copy_from_slice(&crc.to_le_bytes());
}

/// Appends the record of `event` to `out`.
pub fn encode_event(event: &UsageEvent, out: &mut Vec<u8>) {
    frame(out, EVENT, |out| {
        serde_json::to_writer(out, &Entry::of(event)).expect("an event encodes as JSON")
    });
}

/// Appends a record saying the events `ids` were journaled but never queued.
pub fn encode_cancel(ids: &[&str], out: &mut Vec<u8>) {
    frame(out, CANCEL, |out| {
        serde_json::to_writer(out, ids).expect("ids encode as JSON")
    });
}

/// What a segment holds, read up to its first damaged or missing record (or its unwritten
/// space, zeros).
#[derive(Debug, Default)]
pub struct Decoded {
    pub events: Vec<UsageEvent>,
    pub cancelled: Vec<String>,
    /// Bytes after the last whole record (a write cut short, or garbage; zeros do not count):
    /// not read.
    pub damaged: usize,
}

/// Reads the records of one segment.
pub fn decode(mut bytes: &[u8]) -> Decoded {
    let mut decoded = Decoded::default();
    while !bytes.is_empty() {
        match next_record(bytes) {
            Some((kind, body, rest)) if decode_body(kind, body, &mut decoded) => bytes = rest,
            _ => {
                // Zeros are a segment's space not yet written, not damage.
                if bytes.iter().any(|b| *b != 0) {
                    decoded.damaged = bytes.len();
                }
                break;
            }
        }
    }
    decoded
}

/// The next whole record with a matching checksum: its kind, JSON body and what follows.
fn next_record(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let header = bytes.get(..HEADER)?;
    let length = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..].try_into().ok()?);
    if length == 0 || length > MAX_BODY {
        return None;
    }
    let body = bytes.get(HEADER..HEADER + length)?;
    if crc32fast::hash(body) != crc {
        return None;
    }
    Some((body[0], &body[1..], &bytes[HEADER + length..]))
}

fn decode_body(kind: u8, json: &[u8], into: &mut Decoded) -> bool {
    match kind {
        EVENT => match serde_json::from_slice::<Entry>(json)
            .ok()
            .and_then(Entry::into_event)
        {
            Some(event) => {
                into.events.push(event);
                true
            }
            None => false,
        },
        CANCEL => match serde_json::from_slice::<Vec<String>>(json) {
            Ok(ids) => {
                into.cancelled.extend(ids);
                true
            }
            Err(_) => false,
        },
        _ => false,
    }
}
