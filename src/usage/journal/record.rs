//! How the usage journal writes events: length- and checksum-framed records, so that a segment
//! cut short by a crash (or garbage a power cut left after its last synced byte) is read up to
//! its last whole record and no further.
//!
//! A record is `[length: u32 LE][CRC-32 of the body: u32 LE][body]`; the body is a kind byte and
//! then:
//! - *served* (kind 3): a number (u32 LE) and, as JSON, what was served (brand, entry, variant,
//!   revision, experiment and arm, with their names). Written once per segment for each
//!   [`ServedVariant`] the segment's events name, before the first of them;
//! - *event* (kind 4): the number of its served record (u32 LE) and the rest of the event as JSON
//!   (every field a report or the database needs, so replaying it stores exactly what the queue
//!   would have). Naming the served variant by number keeps an answer's record to about a third
//!   of its full JSON, which is what the request path encodes, copies and the kernel writes back;
//! - *cancel* (kind 2): the ids, as JSON, of events that were journaled but never queued (their
//!   answer failed), which replay skips;
//! - *full event* (kind 1): an event with its served variant inline, as journals written before
//!   served records existed hold them (read, no longer written).
//!
//! The numbers are a segment's own: an [`Encoder`] is reset when a new segment begins, so every
//! segment replays alone.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::usage::event::{ServedVariant, UsageEvent, UsageKind};

/// The longest body a record may claim; anything longer is garbage, not a record.
const MAX_BODY: usize = 16 << 20;
const HEADER: usize = 8;
const FULL_EVENT: u8 = 1;
const CANCEL: u8 = 2;
const SERVED: u8 = 3;
const EVENT: u8 = 4;

/// What was served, as the journal holds it.
#[derive(Serialize, Deserialize)]
struct ServedEntry<'a> {
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
}

/// An event but what it served, borrowing from the [`UsageEvent`] when written.
#[derive(Serialize, Deserialize)]
struct EventEntry<'a> {
    id: Cow<'a, str>,
    kind: UsageKind,
    impression: Cow<'a, str>,
    device: Option<Cow<'a, str>>,
    locale: Cow<'a, str>,
    secs: i64,
    nanos: u32,
    user: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    attributes: Cow<'a, Map<String, Value>>,
    value: Option<f64>,
}

/// A kind 1 record: both halves in one JSON object.
#[derive(Deserialize)]
struct FullEntry<'a> {
    #[serde(flatten)]
    event: EventEntry<'a>,
    #[serde(flatten)]
    served: ServedEntry<'a>,
}

impl<'a> ServedEntry<'a> {
    fn of(s: &'a ServedVariant) -> ServedEntry<'a> {
        ServedEntry {
            brand: Cow::Borrowed(&s.brand),
            entry_id: Cow::Borrowed(&s.entry_id),
            entry_key: Cow::Borrowed(&s.entry_key),
            variant_id: Cow::Borrowed(&s.variant_id),
            variant_name: Cow::Borrowed(&s.variant_name),
            revision: Cow::Borrowed(&s.revision),
            experiment: Cow::Borrowed(&s.experiment_id),
            arm: Cow::Borrowed(&s.arm_id),
        }
    }

    fn into_served(self) -> ServedVariant {
        ServedVariant {
            brand: self.brand.into_owned(),
            entry_id: self.entry_id.into_owned(),
            entry_key: self.entry_key.into_owned(),
            variant_id: self.variant_id.into_owned(),
            variant_name: self.variant_name.into_owned(),
            revision: self.revision.into_owned(),
            experiment_id: self.experiment.into_owned(),
            arm_id: self.arm.into_owned(),
        }
    }
}

impl<'a> EventEntry<'a> {
    fn of(e: &'a UsageEvent) -> EventEntry<'a> {
        EventEntry {
            id: Cow::Borrowed(&e.id),
            kind: e.kind,
            impression: Cow::Borrowed(&e.impression_id),
            device: e.device.as_deref().map(Cow::Borrowed),
            locale: Cow::Borrowed(&e.locale),
            secs: e.at.timestamp(),
            nanos: e.at.timestamp_subsec_nanos(),
            user: e.user_key_hash.as_deref().map(Cow::Borrowed),
            attributes: Cow::Borrowed(&e.attributes),
            value: e.value,
        }
    }

    fn into_event(self, served: Arc<ServedVariant>) -> Option<UsageEvent> {
        Some(UsageEvent {
            id: self.id.into_owned(),
            kind: self.kind,
            impression_id: self.impression.into_owned(),
            served,
            device: self.device.map(|d| Cow::Owned(d.into_owned())),
            locale: self.locale.into_owned(),
            at: DateTime::<Utc>::from_timestamp(self.secs, self.nanos)?,
            user_key_hash: self.user.map(Cow::into_owned),
            attributes: self.attributes.into_owned(),
            value: self.value,
        })
    }
}

/// Appends one framed record of `kind`: the kind byte, then what `write` puts after it.
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

/// Appends the JSON of `event` but its served variant: the part of its record that can be made
/// before the segment it goes to is known (outside the journal's lock).
pub fn encode_event_body(event: &UsageEvent, out: &mut Vec<u8>) {
    serde_json::to_writer(out, &EventEntry::of(event)).expect("an event encodes as JSON")
}

/// Numbers the served variants of one segment and frames its event records.
#[derive(Default)]
pub struct Encoder {
    /// A served variant's number, by the address of its shared value; `kept` holds each one, so
    /// no address is reused by another value while it is numbered here.
    numbers: HashMap<usize, u32>,
    kept: Vec<Arc<ServedVariant>>,
}

impl Encoder {
    /// Forgets every number: the next segment begins.
    pub fn reset(&mut self) {
        self.numbers.clear();
        self.kept.clear();
    }

    /// Appends the record of an event whose JSON `body` came from [`encode_event_body`],
    /// preceded by the record of what it served when this segment has not named that yet.
    pub fn frame_event(&mut self, served: &Arc<ServedVariant>, body: &[u8], out: &mut Vec<u8>) {
        let address = Arc::as_ptr(served) as usize;
        let number = match self.numbers.get(&address) {
            Some(number) => *number,
            None => {
                let number = self.kept.len() as u32;
                frame(out, SERVED, |out| {
                    out.extend_from_slice(&number.to_le_bytes());
                    serde_json::to_writer(out, &ServedEntry::of(served))
                        .expect("a served variant encodes as JSON")
                });
                self.numbers.insert(address, number);
                self.kept.push(served.clone());
                number
            }
        };
        frame(out, EVENT, |out| {
            out.extend_from_slice(&number.to_le_bytes());
            out.extend_from_slice(body);
        });
    }

    /// Appends the record of `event` (and of what it served, the first time): both steps at once.
    pub fn encode_event(&mut self, event: &UsageEvent, out: &mut Vec<u8>) {
        let mut body = Vec::new();
        encode_event_body(event, &mut body);
        self.frame_event(&event.served, &body, out);
    }
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
    /// The segment's served variants by number.
    served: Vec<Arc<ServedVariant>>,
}

/// Reads the records of one segment.
pub fn decode(mut bytes: &[u8]) -> Decoded {
    let mut decoded = Decoded::default();
    while !bytes.is_empty() {
        match next_record(bytes) {
            Some((kind, body, rest)) if decoded.read(kind, body).is_some() => bytes = rest,
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

/// The next whole record with a matching checksum: its kind, body and what follows.
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

/// A body's leading served-variant number and the JSON after it.
fn numbered(body: &[u8]) -> Option<(usize, &[u8])> {
    let number = u32::from_le_bytes(body.get(..4)?.try_into().ok()?);
    Some((number as usize, &body[4..]))
}

impl Decoded {
    /// Takes in one record; `None` when it cannot be read (replay stops there).
    fn read(&mut self, kind: u8, body: &[u8]) -> Option<()> {
        match kind {
            EVENT => {
                let (number, json) = numbered(body)?;
                let served = self.served.get(number)?.clone();
                let entry = serde_json::from_slice::<EventEntry>(json).ok()?;
                self.events.push(entry.into_event(served)?);
            }
            SERVED => {
                let (number, json) = numbered(body)?;
                let served = serde_json::from_slice::<ServedEntry>(json).ok()?;
                // Numbers are handed out in order from 0, and again from 0 after a writer
                // reset its numbering; a number past the next is not a record.
                let served = Arc::new(served.into_served());
                match number.cmp(&self.served.len()) {
                    std::cmp::Ordering::Less => self.served[number] = served,
                    std::cmp::Ordering::Equal => self.served.push(served),
                    std::cmp::Ordering::Greater => return None,
                }
            }
            FULL_EVENT => {
                let entry = serde_json::from_slice::<FullEntry>(body).ok()?;
                let served = Arc::new(entry.served.into_served());
                self.events.push(entry.event.into_event(served)?);
            }
            CANCEL => {
                let ids = serde_json::from_slice::<Vec<String>>(body).ok()?;
                self.cancelled.extend(ids);
            }
            _ => return None,
        }
        Some(())
    }
}
