//! Password-protected export files.
//!
//! An export file has its own random key. The key sits in a [`PasswordEnvelope`] made with the
//! password the person chose for the file (Argon2id with the default parameters, a fresh salt,
//! and the file's id where an account would put its email), and the content is sealed under it
//! with [`Purpose::Export`], bound to the file's id. So the file opens with its password alone,
//! on any account or none, and the content of one file cannot be passed off inside another.

use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::Result;
use crate::format::{Binding, Purpose};
use crate::kdf::{
    KdfParams, LoginKeys, MasterPassword, PasswordEnvelope, make_password_envelope,
    open_password_envelope,
};
use crate::keys::{SymmetricKey, make_symmetric_key};
use crate::seal::{SealedData, open, seal};

/// What stands in for an account's email in the file's key derivation.
fn export_label(export_id: Uuid) -> String {
    format!("export:{export_id}")
}

fn export_binding(export_id: Uuid) -> Binding {
    Binding::new(Purpose::Export, export_id, export_id)
}

/// Seals `plaintext` as the content of export file `export_id`, protected by `password`.
/// Returns the envelope holding the file's key and the sealed content.
pub fn seal_export(
    password: &MasterPassword,
    export_id: Uuid,
    plaintext: &[u8],
) -> Result<(PasswordEnvelope, SealedData)> {
    seal_export_with(
        password,
        export_id,
        &KdfParams::DEFAULT,
        &make_symmetric_key(),
        plaintext,
    )
}

fn seal_export_with(
    password: &MasterPassword,
    export_id: Uuid,
    params: &KdfParams,
    key: &SymmetricKey,
    plaintext: &[u8],
) -> Result<(PasswordEnvelope, SealedData)> {
    let (_, envelope): (LoginKeys, _) =
        make_password_envelope(password, &export_label(export_id), params, key)?;
    Ok((envelope, seal(key, &export_binding(export_id), plaintext)))
}

/// Opens export file `export_id` with its password. A wrong password gives
/// [`crate::Error::WrongPassword`]; content altered or taken from another file gives
/// [`crate::Error::Decrypt`].
pub fn open_export(
    password: &MasterPassword,
    export_id: Uuid,
    envelope: &PasswordEnvelope,
    sealed: &SealedData,
) -> Result<Zeroizing<Vec<u8>>> {
    let (_, key) = open_password_envelope(password, &export_label(export_id), envelope)?;
    open(&key, &export_binding(export_id), sealed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Error;
    use crate::seal::seal_with_nonce;
    use crate::vectors::{FLOOR_PARAMS, bytes, id, inner_key, password, record_key};

    /// The content of export `id(12)` sealed under `record_key` with nonce 0x77…: locks the
    /// binding of export content (purpose 12, the file id as object and container).
    const EXPORT_CONTENT: &str = "0101777777777777777777777777e0e530732b79662ae65c83e8a0cc1c2f64b5b89bd6d147f41b0400aace89cb";

    #[test]
    fn export_content_has_a_fixed_format() {
        let sealed = seal_with_nonce(
            &record_key(),
            &export_binding(id(12)),
            &[0x77; 12],
            b"[{\"title\":\"x\"}]",
        );
        assert_eq!(hex::encode(sealed.as_bytes()), EXPORT_CONTENT);
        let opened = open(
            &record_key(),
            &export_binding(id(12)),
            &SealedData::from_bytes(bytes(EXPORT_CONTENT)).unwrap(),
        )
        .unwrap();
        assert_eq!(opened.as_slice(), b"[{\"title\":\"x\"}]");
    }

    #[test]
    fn a_file_opens_with_its_password_only_and_only_as_itself() {
        let (envelope, sealed) =
            seal_export_with(&password(), id(12), &FLOOR_PARAMS, &inner_key(), b"items").unwrap();
        let opened = open_export(&password(), id(12), &envelope, &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"items");
        let wrong = MasterPassword::new("not the file's password".into());
        assert!(matches!(
            open_export(&wrong, id(12), &envelope, &sealed),
            Err(Error::WrongPassword)
        ));
        // The same envelope and content presented as another file do not open.
        assert!(open_export(&password(), id(13), &envelope, &sealed).is_err());
        // Content from another file under the same key does not open in this one.
        let other = seal(&inner_key(), &export_binding(id(13)), b"other");
        assert!(matches!(
            open_export(&password(), id(12), &envelope, &other),
            Err(Error::Decrypt)
        ));
    }
}
