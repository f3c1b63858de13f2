//! The rules a push's changes are judged by, in one place for the server (which applies them)
//! and the browser's tests (whose in-memory server applies the same ones, so that the merge
//! is tested against the server's rules and not a copy of them).
//!
//! - Shape ([`well_formed`]): sizes, keys, parents and repeats, checked before anything stored
//!   is read. A malformed change is refused alone, with a [`RefusalCode`] and a message that
//!   names the rule and never a value.
//! - Against what is stored ([`judge`]): a change is judged against the record's current row
//!   ([`current`]): its live row wherever it lives, else its row (a tombstone) in the container
//!   the change names. It is refused when the account may not write where it goes or where the
//!   record lives, or when it would change the record's kind; stored when its base revision is
//!   the current row's (or both are absent: a new record); a conflict otherwise.
//! - A past version needs its item ([`needed_parent`]): stored, or stored by the same push.
//! - A change id already stored ([`replayed`]) is answered with the revision it got, and is
//!   refused when it was used for another record.

use std::collections::HashSet;

use crate::vault::{
    MAX_MARK_BYTES, MAX_RECORD_BYTES, RecordChange, RecordKind, Refusal, RefusalCode,
    WRAPPED_KEY_BYTES,
};
use crate::{ChangeId, ContainerId, RecordId};

/// The smallest sealed blob: version (2) + nonce (12) + tag (16), with empty content.
pub const MIN_SEALED_BYTES: usize = 2 + 12 + 16;

/// Why a change that may not write somewhere is refused.
pub const NOT_WRITABLE: &str = "You may not change this container (it is not yours, your access was taken away, or it does not exist).";

/// Why a change to a container the account may only read is refused.
pub const READ_ONLY: &str = "You can view this shared folder but not change it. Ask the person who shared it for edit permission.";

/// A refusal of `change`.
pub fn refuse(change: &RecordChange, code: RefusalCode, message: &str) -> Refusal {
    Refusal {
        id: change.id,
        change_id: change.change_id,
        code,
        message: message.to_owned(),
    }
}

/// Splits the changes into those well formed and the refusals of the others: malformed, or
/// repeating a record or change id of an earlier change of the request.
pub fn well_formed(changes: Vec<RecordChange>) -> (Vec<RecordChange>, Vec<Refusal>) {
    let mut records: HashSet<RecordId> = HashSet::with_capacity(changes.len());
    let mut change_ids: HashSet<ChangeId> = HashSet::with_capacity(changes.len());
    let mut good = Vec::with_capacity(changes.len());
    let mut refused = Vec::new();
    for change in changes {
        if !records.insert(change.id) {
            refused.push(refuse(
                &change,
                RefusalCode::Duplicate,
                "The same record is already in this push; send each record once per push.",
            ));
        } else if !change_ids.insert(change.change_id) {
            refused.push(refuse(
                &change,
                RefusalCode::Duplicate,
                "The same change id is already in this push; every change needs its own id.",
            ));
        } else if let Err(message) = check_change(&change) {
            refused.push(refuse(&change, RefusalCode::Invalid, message));
        } else {
            good.push(change);
        }
    }
    (good, refused)
}

/// The rule a change breaks, if any.
pub fn check_change(change: &RecordChange) -> Result<(), &'static str> {
    if change.base_revision.is_some_and(|base| base < 1) {
        return Err(
            "base_revision must be a revision the server gave (1 or more), or null for a new record.",
        );
    }
    match (change.kind, change.parent_id) {
        (RecordKind::History, None) => {
            return Err("A past version needs the id of its item (parent_id).");
        }
        (RecordKind::Item | RecordKind::Folder | RecordKind::Trust, Some(_)) => {
            return Err("Only a past version (history) has a parent_id.");
        }
        _ => {}
    }
    if change.version < 0 {
        return Err("version must be 0 or more.");
    }
    if let Some(mark) = &change.mark
        && !(MIN_SEALED_BYTES..=MAX_MARK_BYTES).contains(&mark.0.len())
    {
        return Err("The deletion mark must be a sealed blob of at most 256 bytes.");
    }
    let Some(data) = &change.data else {
        if change.key.is_some() {
            return Err("A deletion carries no key.");
        }
        return Ok(());
    };
    if data.0.len() > MAX_RECORD_BYTES {
        return Err(
            "The sealed data is larger than the server stores (128 KiB); shorten the record.",
        );
    }
    if data.0.len() < MIN_SEALED_BYTES {
        return Err("The data is too short to be a sealed record.");
    }
    match (change.kind, &change.key) {
        (RecordKind::Item, Some(key)) if key.0.len() == WRAPPED_KEY_BYTES => Ok(()),
        (RecordKind::Item, _) => Err("An item needs its wrapped key (63 bytes)."),
        (RecordKind::Folder | RecordKind::History | RecordKind::Trust, Some(_)) => {
            Err("Only an item carries a key; a folder, past version or trust record has none.")
        }
        (RecordKind::Folder | RecordKind::History | RecordKind::Trust, None) => Ok(()),
    }
}

/// A stored row of a record, as far as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// The container the row is in.
    pub container_id: ContainerId,
    /// The record's kind.
    pub kind: RecordKind,
    /// The revision the row got.
    pub revision: i64,
    /// Whether the record lives there (else the row is a tombstone).
    pub live: bool,
}

/// Of a record's rows (one per container at most), the one a change naming `named` is
/// judged against: the live row wherever it is, else the row in `named`.
pub fn current<T>(rows: &[T], held: impl Fn(&T) -> Held, named: ContainerId) -> Option<&T> {
    rows.iter()
        .find(|row| held(row).live)
        .or_else(|| rows.iter().find(|row| held(row).container_id == named))
}

/// What becomes of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Stored at the next revision of its container (a move also leaves a tombstone, with the
    /// change's mark, in the container the record left).
    Store,
    /// Not stored: answered with the current row, for the browser to merge.
    Conflict,
    /// Refused, for this reason.
    Refuse(RefusalCode, &'static str),
}

/// Judges a well-formed change against the record's current row (from [`current`]), given the
/// containers the account may write.
pub fn judge(
    change: &RecordChange,
    current: Option<Held>,
    may_write: impl Fn(ContainerId) -> bool,
) -> Verdict {
    if !may_write(change.container_id) {
        return Verdict::Refuse(RefusalCode::NotWritable, NOT_WRITABLE);
    }
    if let Some(row) = current {
        if !may_write(row.container_id) {
            return Verdict::Refuse(RefusalCode::NotWritable, NOT_WRITABLE);
        }
        if row.kind != change.kind {
            return Verdict::Refuse(
                RefusalCode::KindChanged,
                "A record never changes kind; this one is stored as another kind.",
            );
        }
    }
    let fits = match (change.base_revision, current) {
        // New, or the deletion of a record never stored (kept as a tombstone anyway, so
        // deleting twice is harmless).
        (None, None) => true,
        (Some(base), Some(row)) => row.revision == base,
        (None, Some(_)) | (Some(_), None) => false,
    };
    if fits {
        Verdict::Store
    } else {
        Verdict::Conflict
    }
}

/// The item a change needs to exist: a past version's parent, unless the change deletes it.
pub fn needed_parent(change: &RecordChange) -> Option<RecordId> {
    match (change.kind, &change.data) {
        (RecordKind::History, Some(_)) => change.parent_id,
        _ => None,
    }
}

/// The refusal of a past version whose item ([`needed_parent`]) is neither stored nor stored
/// by the same push.
pub fn missing_parent(change: &RecordChange) -> Refusal {
    refuse(
        change,
        RefusalCode::MissingParent,
        "A past version's item must be stored first, or in the same push.",
    )
}

/// A change whose id the account's earlier push stored for `stored_for`: answered as stored
/// (`Ok`), or refused when that was another record.
pub fn replayed(change: &RecordChange, stored_for: RecordId) -> Result<(), Refusal> {
    if stored_for == change.id {
        Ok(())
    } else {
        Err(refuse(
            change,
            RefusalCode::ChangeIdReused,
            "This change id was already used for another record; every change needs a new id.",
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{Base64Bytes, ContainerId};

    use super::*;

    /// A well-formed change of `kind` into a random container.
    fn change(kind: RecordKind) -> RecordChange {
        RecordChange {
            change_id: ChangeId::new_v7(),
            id: RecordId::new_v7(),
            kind,
            container_id: ContainerId::new_v7(),
            parent_id: (kind == RecordKind::History).then(RecordId::new_v7),
            base_revision: None,
            key: (kind == RecordKind::Item).then(|| Base64Bytes(vec![7; WRAPPED_KEY_BYTES])),
            data: Some(Base64Bytes(vec![9; MIN_SEALED_BYTES])),
            version: 1,
            mark: None,
        }
    }

    #[test]
    fn the_messages_match_the_limits() {
        assert_eq!(MAX_RECORD_BYTES, 128 * 1024);
        assert_eq!(WRAPPED_KEY_BYTES, 63);
        assert_eq!(MAX_MARK_BYTES, 256);
    }

    #[test]
    fn well_formed_changes_and_deletions_pass() {
        for kind in [
            RecordKind::Item,
            RecordKind::Folder,
            RecordKind::History,
            RecordKind::Trust,
        ] {
            check_change(&change(kind)).unwrap();
            let mut deletion = change(kind);
            deletion.key = None;
            deletion.data = None;
            deletion.base_revision = Some(1);
            deletion.mark = Some(Base64Bytes(vec![3; MAX_MARK_BYTES]));
            check_change(&deletion).unwrap();
        }
        let mut largest = change(RecordKind::Folder);
        largest.data = Some(Base64Bytes(vec![0; MAX_RECORD_BYTES]));
        check_change(&largest).unwrap();
    }

    #[test]
    fn each_rule_is_named_and_never_a_value() {
        let mut cases = Vec::new();
        let mut c = change(RecordKind::Item);
        c.key = Some(Base64Bytes(vec![7; WRAPPED_KEY_BYTES - 1]));
        cases.push((c, "wrapped key"));
        let mut c = change(RecordKind::Item);
        c.key = None;
        cases.push((c, "wrapped key"));
        let mut c = change(RecordKind::Folder);
        c.key = Some(Base64Bytes(vec![7; WRAPPED_KEY_BYTES]));
        cases.push((c, "Only an item carries a key"));
        let mut c = change(RecordKind::History);
        c.parent_id = None;
        cases.push((c, "parent_id"));
        let mut c = change(RecordKind::Item);
        c.parent_id = Some(RecordId::new_v7());
        cases.push((c, "Only a past version"));
        let mut c = change(RecordKind::Folder);
        c.data = Some(Base64Bytes(vec![9; MAX_RECORD_BYTES + 1]));
        cases.push((c, "larger than"));
        let mut c = change(RecordKind::Folder);
        c.data = Some(Base64Bytes(vec![9; MIN_SEALED_BYTES - 1]));
        cases.push((c, "too short"));
        let mut c = change(RecordKind::Item);
        c.data = None;
        cases.push((c, "A deletion carries no key"));
        let mut c = change(RecordKind::Folder);
        c.base_revision = Some(0);
        cases.push((c, "base_revision"));
        let mut c = change(RecordKind::Folder);
        c.version = -1;
        cases.push((c, "version must be"));
        let mut c = change(RecordKind::Folder);
        c.data = None;
        c.mark = Some(Base64Bytes(vec![1; MAX_MARK_BYTES + 1]));
        cases.push((c, "deletion mark"));
        let mut c = change(RecordKind::Folder);
        c.mark = Some(Base64Bytes(vec![1; MIN_SEALED_BYTES - 1]));
        cases.push((c, "deletion mark"));
        for (c, expected) in cases {
            let message = check_change(&c).unwrap_err();
            assert!(message.contains(expected), "{message}");
            assert!(!message.contains(&c.id.to_string()), "{message}");
        }
    }

    #[test]
    fn repeats_and_malformed_changes_are_refused_alone() {
        let first = change(RecordKind::Folder);
        let mut same_record = change(RecordKind::Folder);
        same_record.id = first.id;
        let mut same_change = change(RecordKind::Item);
        same_change.change_id = first.change_id;
        let mut malformed = change(RecordKind::Item);
        malformed.key = None;
        let fine = change(RecordKind::History);
        let (good, refused) = well_formed(vec![
            first.clone(),
            same_record.clone(),
            same_change.clone(),
            malformed.clone(),
            fine.clone(),
        ]);
        assert_eq!(good, vec![first, fine]);
        let codes: Vec<_> = refused.iter().map(|r| (r.change_id, r.code)).collect();
        assert_eq!(
            codes,
            vec![
                (same_record.change_id, RefusalCode::Duplicate),
                (same_change.change_id, RefusalCode::Duplicate),
                (malformed.change_id, RefusalCode::Invalid),
            ]
        );
    }

    fn held(container_id: ContainerId, kind: RecordKind, revision: i64, live: bool) -> Held {
        Held {
            container_id,
            kind,
            revision,
            live,
        }
    }

    #[test]
    fn the_current_row_is_the_live_one_else_the_one_in_the_named_container() {
        let (a, b, c) = (
            ContainerId::new_v7(),
            ContainerId::new_v7(),
            ContainerId::new_v7(),
        );
        let rows = [
            held(a, RecordKind::Item, 3, false),
            held(b, RecordKind::Item, 5, true),
        ];
        assert_eq!(current(&rows, |r| *r, a), Some(&rows[1]), "lives in b");
        let rows = [held(a, RecordKind::Item, 3, false)];
        assert_eq!(
            current(&rows, |r| *r, a),
            Some(&rows[0]),
            "a tombstone in a"
        );
        assert_eq!(current(&rows, |r| *r, c), None, "nothing in c");
    }

    #[test]
    fn a_change_is_stored_only_on_the_current_revision_where_it_may_write() {
        let item = change(RecordKind::Item);
        let here = item.container_id;
        let other = ContainerId::new_v7();
        let anywhere = |_| true;
        let only_here = |c| c == here;
        let at = |revision| Some(held(here, RecordKind::Item, revision, true));
        let based = |base| RecordChange {
            base_revision: Some(base),
            ..item.clone()
        };
        let cases = [
            (item.clone(), None, Verdict::Store, "new"),
            (item.clone(), at(4), Verdict::Conflict, "new, but it exists"),
            (based(4), at(4), Verdict::Store, "on the current revision"),
            (based(3), at(4), Verdict::Conflict, "on an older revision"),
            (
                based(4),
                None,
                Verdict::Conflict,
                "based on a record never stored",
            ),
        ];
        for (change, stored, verdict, what) in cases {
            assert_eq!(judge(&change, stored, anywhere), verdict, "{what}");
        }
        assert!(
            matches!(
                judge(
                    &based(4),
                    Some(held(other, RecordKind::Item, 4, true)),
                    only_here
                ),
                Verdict::Refuse(RefusalCode::NotWritable, _)
            ),
            "moved out of a container it may not write"
        );
        assert!(
            matches!(
                judge(&item, None, |c| c == other),
                Verdict::Refuse(RefusalCode::NotWritable, _)
            ),
            "into a container it may not write"
        );
        assert!(
            matches!(
                judge(
                    &based(4),
                    Some(held(here, RecordKind::Folder, 4, true)),
                    anywhere
                ),
                Verdict::Refuse(RefusalCode::KindChanged, _)
            ),
            "another kind"
        );
    }

    #[test]
    fn only_a_stored_past_version_needs_its_parent_and_a_change_id_serves_one_record() {
        let history = change(RecordKind::History);
        assert_eq!(needed_parent(&history), history.parent_id);
        let deleted = RecordChange {
            data: None,
            ..history.clone()
        };
        assert_eq!(needed_parent(&deleted), None);
        assert_eq!(needed_parent(&change(RecordKind::Item)), None);
        assert_eq!(replayed(&history, history.id), Ok(()));
        let refused = replayed(&history, RecordId::new_v7()).unwrap_err();
        assert_eq!(refused.code, RefusalCode::ChangeIdReused);
    }
}
