//! The upload body's caps, read from bodies made in memory: each cap answers its code, reading
//! stops at the cap, and a property test feeds mutated and randomly split bodies to the reader.

use super::*;
use crate::error::ErrorCode;
use proptest::prelude::*;

const BOUNDARY: &str = "b0undary";

/// A multipart body with `parts` in order; a part named `file` gets a file name and a type.
fn body(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in parts {
        let file = if *name == "file" {
            "; filename=\"a.png\"\r\nContent-Type: image/png"
        } else {
            ""
        };
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn headers(content_length: Option<u64>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}")
            .parse()
            .unwrap(),
    );
    if let Some(len) = content_length {
        headers.insert(header::CONTENT_LENGTH, len.into());
    }
    headers
}

/// Reads `bytes` in chunks of `chunk` bytes with a file limit of `max_bytes`; answers the
/// outcome and how many body bytes the reader took.
fn read(bytes: &[u8], chunk: usize, max_bytes: u64, headers: HeaderMap) -> (AppResult<Form>, u64) {
    let taken = Rc::new(Cell::new(0u64));
    let counted = taken.clone();
    let all = Bytes::copy_from_slice(bytes);
    let chunk = chunk.max(1);
    let pieces = (0..all.len().div_ceil(chunk))
        .map(move |i| all.slice(i * chunk..((i + 1) * chunk).min(all.len())));
    let stream = futures_util::stream::iter(pieces).map(move |c| {
        counted.set(counted.get() + c.len() as u64);
        Ok(c)
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let form = runtime.block_on(read_form(&headers, stream, max_bytes));
    (form, taken.get())
}

fn read_all(bytes: &[u8]) -> AppResult<Form> {
    read(bytes, 1000, 1 << 20, headers(None)).0
}

fn code(result: &AppResult<Form>) -> Option<ErrorCode> {
    result.as_ref().err().map(|e| e.code)
}

#[test]
fn a_form_is_read_into_an_upload_and_a_file() {
    let form = read_all(&body(&[
        ("brand", b"acme"),
        ("alt", b"Two lines,\r\n\tindented"),
        ("focalX", b"0.25"),
        ("focalY", b" 1 "),
        ("ignored", b"whatever"),
        ("file", b"\x89PNG bytes"),
    ]))
    .unwrap();
    let upload = form.upload;
    assert_eq!(upload.brand.as_deref(), Some("acme"));
    assert_eq!(upload.alt.as_deref(), Some("Two lines,\r\n\tindented"));
    assert_eq!((upload.focal_x, upload.focal_y), (Some(0.25), Some(1.0)));
    assert_eq!(upload.claim.content_type.as_deref(), Some("image/png"));
    let file = std::fs::read(form.file.unwrap().path()).unwrap();
    assert_eq!(file, b"\x89PNG bytes");
}

#[test]
fn a_text_part_over_its_cap_is_over_the_limit_whatever_its_name() {
    let long = vec![b'a'; MAX_TEXT_PART + 1];
    for name in ["alt", "brand", "focalX", "unknown"] {
        let result = read_all(&body(&[(name, &long), ("file", b"x")]));
        assert_eq!(code(&result), Some(ErrorCode::LimitExceeded), "{name}");
    }
    let at_cap = vec![b'a'; MAX_TEXT_PART];
    assert!(read_all(&body(&[("alt", &at_cap), ("file", b"x")])).is_ok());
}

#[test]
fn a_huge_text_part_is_refused_after_reading_little_of_it() {
    let huge = body(&[("alt", &vec![b'a'; 8 << 20]), ("file", b"x")]);
    let (result, taken) = read(&huge, 1 << 20, 1 << 20, headers(None));
    assert_eq!(code(&result), Some(ErrorCode::LimitExceeded));
    assert!(taken <= 1 << 20, "read {taken} bytes");
}

#[test]
fn control_characters_in_text_are_bad_input_but_tab_and_line_breaks_are_not() {
    for bad in [
        &b"a\0b"[..],
        b"bell\x07",
        b"esc\x1b[0m",
        "del\u{7f}".as_bytes(),
        "c1\u{85}".as_bytes(),
        b"\xff\xfe",
    ] {
        for name in ["alt", "brand", "focalX"] {
            let result = read_all(&body(&[(name, bad), ("file", b"x")]));
            assert_eq!(code(&result), Some(ErrorCode::BadInput), "{name}: {bad:?}");
        }
    }
}

#[test]
fn focal_points_must_be_finite_numbers() {
    for bad in [&b"NaN"[..], b"inf", b"-infinity", b"half", b""] {
        let result = read_all(&body(&[("focalX", bad), ("file", b"x")]));
        assert_eq!(code(&result), Some(ErrorCode::BadInput), "{bad:?}");
    }
}

#[test]
fn too_many_parts_are_over_the_limit_and_a_second_file_is_bad_input() {
    let many: Vec<(&str, &[u8])> = (0..=MAX_PARTS).map(|_| ("x", &b"1"[..])).collect();
    assert_eq!(
        code(&read_all(&body(&many))),
        Some(ErrorCode::LimitExceeded)
    );
    let two_files = body(&[("file", b"one"), ("file", b"two")]);
    assert_eq!(code(&read_all(&two_files)), Some(ErrorCode::BadInput));
}

#[test]
fn a_part_header_that_never_ends_is_cut_off_at_the_envelope() {
    let mut bytes =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"alt\"\r\nX-Pad: ")
            .into_bytes();
    bytes.resize(8 << 20, b'a');
    let (result, taken) = read(&bytes, 16 << 10, 1 << 20, headers(None));
    assert_eq!(code(&result), Some(ErrorCode::LimitExceeded));
    assert!(taken <= ENVELOPE_BYTES + (16 << 10), "read {taken} bytes");
}

#[test]
fn a_declared_length_over_the_cap_is_refused_before_reading() {
    let bytes = body(&[("file", b"x")]);
    let declared = headers(Some((1 << 20) + ENVELOPE_BYTES + 1));
    let (result, taken) = read(&bytes, 1000, 1 << 20, declared);
    assert_eq!(code(&result), Some(ErrorCode::LimitExceeded));
    assert_eq!(taken, 0);
}

#[test]
fn a_file_over_the_byte_limit_is_over_the_limit_and_one_at_it_is_not() {
    let (result, _) = read(&body(&[("file", &[7; 1001])]), 100, 1000, headers(None));
    assert_eq!(code(&result), Some(ErrorCode::LimitExceeded));
    let (result, _) = read(&body(&[("file", &[7; 1000])]), 100, 1000, headers(None));
    assert!(result.is_ok());
}

#[test]
fn a_body_that_ends_inside_a_part_is_bad_input_not_a_hang() {
    // actix-multipart waits for more after a CR at the end of a part's data.
    for ending in [&b"\r"[..], b"\r\n", b"\r\n--", b"\r\n--b0und", b"data"] {
        let mut bytes = body(&[("alt", b"x")]);
        bytes.truncate(bytes.len() - format!("--{BOUNDARY}--\r\n").len());
        bytes.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n")
                .as_bytes(),
        );
        bytes.extend_from_slice(ending);
        for chunk in [1, 7, 1000] {
            let (result, _) = read(&bytes, chunk, 1 << 20, headers(None));
            assert_eq!(
                code(&result),
                Some(ErrorCode::BadInput),
                "{ending:?} in {chunk}s"
            );
        }
    }
}

/// A valid body to mutate: every known part, an unknown one and a small file.
fn seed() -> Vec<u8> {
    body(&[
        ("brand", b"acme"),
        ("alt", "Caf\u{e9} \u{1f600}".as_bytes()),
        ("focalX", b"0.5"),
        ("focalY", b"0.5"),
        ("other", b"x"),
        ("file", &[0x89, b'P', b'N', b'G', 0, 1, 2, 3]),
    ])
}

fn mutated_body() -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<usize>(), any::<u8>(), 0u8..4);
    (
        prop::collection::vec(edit, 0..8),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(edits, noise)| {
            let mut bytes = seed();
            for (at, byte, how) in edits {
                let at = at % (bytes.len() + 1);
                match how {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    2 if at < bytes.len() => drop(bytes.remove(at)),
                    _ => bytes.splice(at..at, noise.iter().copied()).for_each(drop),
                }
            }
            bytes
        })
}

/// 128 cases, or `PROPTEST_CASES` for a longer run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    ProptestConfig {
        cases: cases.unwrap_or(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_body_is_read_or_refused_as_bad_input_or_over_a_limit(
        bytes in prop_oneof![mutated_body(), prop::collection::vec(any::<u8>(), 0..512)],
        chunk in 1usize..300,
    ) {
        // On a thread of its own, so that a body the reader waits on for ever fails the case.
        let (sender, outcome) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(read(&bytes, chunk, 1 << 20, headers(None)).0);
        });
        let result = outcome.recv_timeout(std::time::Duration::from_secs(10));
        prop_assert!(result.is_ok(), "the reader hangs");
        match result.unwrap() {
            Ok(form) => {
                for text in [form.upload.brand, form.upload.alt].into_iter().flatten() {
                    prop_assert!(!text.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)));
                }
            }
            Err(e) => prop_assert!(
                matches!(e.code, ErrorCode::BadInput | ErrorCode::LimitExceeded),
                "{:?}: {}", e.code, e.message
            ),
        }
    }
}
