//! What a push's changes must look like, checked before the database is asked anything: the
//! request's size, and each change's shape (sizes, keys, parents, repeats). A malformed request
//! is refused whole; a malformed change is refused alone, with a [`RefusalCode`] and a message
//! that names the rule and never a value.

use std::collections::HashSet;

use shared_types::vault::{
    MAX_MARK_BYTES, MAX_PUSH_CHANGES, MAX_RECORD_BYTES, RecordChange, RecordKind, Refusal,
    RefusalCode, WRAPPED_KEY_BYTES,
};
use shared_types::{ChangeId, RecordId};

use crate::error::ApiError;

/// The smallest sealed blob: version (2) + nonce (12) + tag (16), with empty content.
pub(super) const MIN_SEALED_BYTES: usize = 2 + 12 + 16;

/// Refuses a request that is empty or too long.
pub(super) fn check_request(changes: &[RecordChange]) -> Result<(), ApiError> {
    if changes.is_empty() {
        return Err(ApiError::BadRequest(
            "A push needs at least one change.".into(),
        ));
    }
    if changes.len() > MAX_PUSH_CHANGES {
        return Err(ApiError::BadRequest(format!(
            "A push carries at most {MAX_PUSH_CHANGES} changes; send the rest in another push."
        )));
    }
    Ok(())
}

/// A refusal of `change`.
pub(super) fn refuse(change: &RecordChange, code: RefusalCode, message: &str) -> Refusal {
    Refusal {
        id: change.id,
        change_id: change.change_id,
        code,
        message: message.to_owned(),
    }
}

/// Splits the changes into those well formed and the refusals of the others: malformed, or
/// repeating a record or change id of an earlier change of the request.
pub(super) fn well_formed(changes: Vec<RecordChange>) -> (Vec<RecordChange>, Vec<Refusal>) {
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
pub(super) fn check_change(change: &RecordChange) -> Result<(), &'static str> {
    if change.base_revision.is_some_and(|base| base < 1) {
        return Err(
            "base_revision must be a revision the server gave (1 or more), or null for a new record.",
        );
    }
    match (change.kind, change.parent_id) {
        (RecordKind::History, None) => {
            return Err("A past version needs the id of its item (parent_id).");
        }
        (RecordKind::Item | RecordKind::Folder, Some(_)) => {
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
        (RecordKind::Folder | RecordKind::History, Some(_)) => {
            Err("Only an item carries a key; a folder or past version has none.")
        }
        (RecordKind::Folder | RecordKind::History, None) => Ok(()),
    }
}

#[cfg(test)]
pub(super) mod tests {
    #![allow(clippy::unwrap_used)]
    use shared_types::{Base64Bytes, ContainerId};

    use super::*;

    /// A well-formed change of `kind` into a random container.
    pub(in crate::services::vault) fn change(kind: RecordKind) -> RecordChange {
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
        for kind in [RecordKind::Item, RecordKind::Folder, RecordKind::History] {
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
    fn a_request_is_refused_whole_only_when_empty_or_too_long() {
        assert!(matches!(check_request(&[]), Err(ApiError::BadRequest(_))));
        let many: Vec<_> = (0..=MAX_PUSH_CHANGES)
            .map(|_| change(RecordKind::Folder))
            .collect();
        assert!(matches!(check_request(&many), Err(ApiError::BadRequest(_))));
        check_request(&many[..MAX_PUSH_CHANGES]).unwrap();
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
}
