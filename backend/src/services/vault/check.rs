//! What a push request must look like before its changes are judged: not empty, not too long.
//! Each change's own shape and its judgement against what is stored are the push rules shared
//! with the browser's tests (`shared_types::push_rules`).

use shared_types::vault::{MAX_PUSH_CHANGES, RecordChange};

use crate::error::ApiError;

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use shared_types::vault::{RecordKind, WRAPPED_KEY_BYTES};
    use shared_types::{Base64Bytes, ChangeId, ContainerId, RecordId};

    use super::*;

    fn folder() -> RecordChange {
        RecordChange {
            change_id: ChangeId::new_v7(),
            id: RecordId::new_v7(),
            kind: RecordKind::Folder,
            container_id: ContainerId::new_v7(),
            parent_id: None,
            base_revision: None,
            key: None,
            data: Some(Base64Bytes(vec![9; WRAPPED_KEY_BYTES])),
            version: 1,
            mark: None,
        }
    }

    #[test]
    fn a_request_is_refused_whole_only_when_empty_or_too_long() {
        assert!(matches!(check_request(&[]), Err(ApiError::BadRequest(_))));
        let many: Vec<_> = (0..=MAX_PUSH_CHANGES).map(|_| folder()).collect();
        assert!(matches!(check_request(&many), Err(ApiError::BadRequest(_))));
        check_request(&many[..MAX_PUSH_CHANGES]).unwrap();
    }
}
