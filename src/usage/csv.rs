//! Every CSV line Vary writes (usage reports over REST and `vary export usage`, the audit report),
//! made safe to open in a spreadsheet.
//!
//! A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` as a formula, and some read a
//! leading tab or carriage return the same way (CSV injection). Text cells hold what clients and
//! editors typed — variant names, the e-mail of a failed login, audit notes — so each text cell
//! that would start a formula is written with a leading `'`, as OWASP recommends: the spreadsheet
//! shows the text and computes nothing. Numbers are typed cells ([`Cell::Int`], [`Cell::Float`])
//! and are written as they are, so a negative number stays a number. Quoting of commas, quotes
//! and line breaks is left to the `csv` crate.

use std::borrow::Cow;

/// One cell of a CSV line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Free text: escaped when a spreadsheet would read it as a formula.
    Text(&'a str),
    /// A count, written as digits.
    Int(i64),
    /// A measure (a rate, a sum of values), written as Rust prints an `f64`.
    Float(f64),
}

impl<'a> Cell<'a> {
    /// A text cell, empty for `None` (a dimension not grouped by, an audit row without a note).
    pub fn optional(text: &'a Option<String>) -> Cell<'a> {
        Cell::Text(text.as_deref().unwrap_or_default())
    }
}

/// Whether `c` makes a spreadsheet read the cell as a formula when it comes first: OWASP's list
/// (`= + - @`, tab, carriage return), a line feed, and the full-width forms of the four signs,
/// which some spreadsheets fold to ASCII.
fn starts_formula(c: char) -> bool {
    matches!(
        c,
        '=' | '+'
            | '-'
            | '@'
            | '\t'
            | '\r'
            | '\n'
            | '\u{FF1D}'
            | '\u{FF0B}'
            | '\u{FF0D}'
            | '\u{FF20}'
    )
}

/// `text` as it may be written in a CSV text cell: with a leading `'` when its first character,
/// or the first after leading spaces (which spreadsheets may trim), would start a formula.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    match text.trim_start_matches(' ').chars().next() {
        Some(c) if starts_formula(c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// One CSV line (with its line break) of `cells`, text escaped by [`escape_text`].
pub fn record(cells: &[Cell<'_>]) -> Vec<u8> {
    let fields: Vec<Cow<'_, str>> = cells
        .iter()
        .map(|cell| match cell {
            Cell::Text(text) => escape_text(text),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Float(x) => Cow::Owned(x.to_string()),
        })
        .collect();
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields.iter().map(|f| f.as_bytes()))
        .expect("writing to memory");
    writer.into_inner().expect("flushing to memory")
}

/// A header line: column names are text cells like any other.
pub fn header(columns: &[&str]) -> Vec<u8> {
    let cells: Vec<Cell<'_>> = columns.iter().map(|c| Cell::Text(c)).collect();
    record(&cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[Cell<'_>]) -> String {
        String::from_utf8(record(cells)).unwrap()
    }

    #[test]
    fn text_that_would_start_a_formula_gets_a_leading_quote() {
        for raw in [
            "=HYPERLINK(\"http://x\")",
            "+1+2",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\r=1",
            "\n=1",
            "  =1+1",
            "\u{FF1D}1+1",
            "\u{FF20}SUM(A1)",
        ] {
            assert_eq!(escape_text(raw), format!("'{raw}"), "{raw:?}");
        }
        for safe in [
            "",
            "home-hero",
            "a=b",
            "2026-03-01",
            "x-1",
            "'=already text",
            " plain",
        ] {
            assert_eq!(escape_text(safe), safe, "{safe:?}");
        }
    }

    #[test]
    fn numbers_stay_numbers_and_text_is_quoted_by_csv_rules() {
        assert_eq!(
            line(&[
                Cell::Text("-5"),
                Cell::Int(-5),
                Cell::Float(-2.5),
                Cell::Float(0.25)
            ]),
            "'-5,-5,-2.5,0.25\n"
        );
        assert_eq!(
            line(&[
                Cell::Text("=1,2"),
                Cell::Text("say \"hi\""),
                Cell::Text("a\nb")
            ]),
            "\"'=1,2\",\"say \"\"hi\"\"\",\"a\nb\"\n"
        );
        assert_eq!(
            String::from_utf8(header(&["entryKey", "ctr"])).unwrap(),
            "entryKey,ctr\n"
        );
    }
}
