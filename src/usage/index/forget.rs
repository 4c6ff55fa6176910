//! Deleting events from the usage index: one person's (`forgetPerson`) and a brand's events
//! older than its retention.
//!
//! Both match on the only two indexed values of a document: `person` (the brand and the hashed
//! user key, for events that have one) and `brand`, with the time from the fast `at` column.
//! A deletion reaches only documents added before it (tantivy orders operations), so events of
//! the same person stored after a `forgetPerson` stay, as they do in the database. Deletions
//! show once committed; callers flush.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, TantivyDocument, Term};
use tantivy::IndexWriter;

use super::{closed, date, IndexError, Op, UsageIndex};

/// What to delete, with the terms already made.
pub(super) enum Deletion {
    /// Every event of one person in one brand.
    Person(Term),
    /// Every event of a brand (its `brand` term) before an instant.
    Before { brand: Term, range: RangeQuery },
}

/// The `person` value of an event of `brand` whose hashed user key is `hash`. Slugs hold no `/`,
/// so no two pairs give the same value.
pub(super) fn person_term(brand: &str, hash: &str) -> String {
    format!("{brand}/{hash}")
}

/// Runs `deletion` on the writer thread.
pub(super) fn apply(writer: &mut IndexWriter<TantivyDocument>, deletion: &Deletion) {
    let outcome = match deletion {
        Deletion::Person(term) => {
            writer.delete_term(term.clone());
            Ok(())
        }
        Deletion::Before { brand, range } => {
            let query: Vec<(Occur, Box<dyn Query>)> = vec![
                (
                    Occur::Must,
                    Box::new(TermQuery::new(brand.clone(), IndexRecordOption::Basic)),
                ),
                (Occur::Must, Box::new(range.clone())),
            ];
            writer
                .delete_query(Box::new(BooleanQuery::new(query)))
                .map(|_| ())
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not delete usage events from the index");
    }
}

impl UsageIndex {
    /// Held by a sink from the start of storing a batch in the database until it has handed the
    /// batch's events to [`UsageIndex::add`]: a deletion waits for it, so it never overtakes
    /// events the database already holds.
    pub fn storing(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.gate
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn send_deletion(&self, deletion: Deletion) -> Result<(), IndexError> {
        let _gate = self
            .gate
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.ops.send(Op::Delete(deletion)).map_err(|_| closed())
    }

    /// Deletes every event of the person whose hashed user key is `hash` in `brand`; a report
    /// stops counting them after the next commit ([`UsageIndex::flush`]). Blocking: waits for a
    /// batch being stored ([`UsageIndex::storing`]).
    pub fn forget_person(&self, brand: &str, hash: &str) -> Result<(), IndexError> {
        let term = Term::from_field_text(self.fields.person, &person_term(brand, hash));
        self.send_deletion(Deletion::Person(term))
    }

    /// Deletes every event of `brand` before `before` (retention); shown after the next commit.
    /// Blocking, as [`UsageIndex::forget_person`].
    pub fn expire(&self, brand: &str, before: DateTime<Utc>) -> Result<(), IndexError> {
        let at = self.fields.at;
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_date(at, date(DateTime::<Utc>::MIN_UTC))),
            Bound::Excluded(Term::from_field_date(at, date(before))),
        );
        let brand = Term::from_field_text(self.fields.brand, brand);
        self.send_deletion(Deletion::Before { brand, range })
    }
}
