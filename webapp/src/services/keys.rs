//! How an account's keys are made at sign-up and opened at sign-in or unlock. The one place that
//! knows which binding each wrapped key uses; everything else deals in [`VaultKeys`].

use shared_types::account::{
    AccountBundle, AccountKeys, BindProfileKindsRequest, KdfParams, ProfileKey, ProfileKind,
};
use shared_types::{AccountId, Base64Bytes, ProfileId};
use wasm_crypto::{
    Binding, EncryptionPrivateKey, EncryptionPublicKey, LoginKeys, MasterPassword,
    PasswordEnvelope, Purpose, SigningKey, Statement, SymmetricKey, VerifyingKey, WrappedKey,
    make_encryption_key, make_password_envelope, make_signing_key, make_symmetric_key, unwrap,
    wrap,
};

/// The unlocked account: every key the vault needs. Dropped (and zeroized) on lock.
pub struct VaultKeys {
    /// The account.
    pub account_id: AccountId,
    /// Its email.
    pub email: String,
    /// The account key.
    pub account_key: SymmetricKey,
    /// The X25519 private key.
    pub encryption_key: EncryptionPrivateKey,
    /// The Ed25519 signing key.
    pub signing_key: SigningKey,
    /// Profile id, kind and key.
    pub profiles: Vec<(ProfileId, ProfileKind, SymmetricKey)>,
    /// Whether the account signed its keys as kind-bound, so each profile's kind above was
    /// checked against its key's wrap. False for an account made before kinds were bound (its
    /// kinds are the server's word until the browser migrates it, see [`bind_kinds`]).
    pub kinds_bound: bool,
}

impl core::fmt::Debug for VaultKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VaultKeys")
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// Why keys could not be made or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The master password does not open the account.
    #[error("The master password is wrong.")]
    WrongPassword,
    /// The server's data for this account is damaged or was tampered with.
    #[error(
        "This account's keys could not be opened ({0}). Do not enter secrets; contact your administrator."
    )]
    Damaged(String),
    /// The key-derivation settings were refused.
    #[error("{0}")]
    Kdf(String),
}

fn damaged(e: wasm_crypto::Error) -> KeyError {
    KeyError::Damaged(e.to_string())
}

/// The binding of a profile key: its kind is in the purpose, so a key wrapped as Personal does
/// not open as Business (or the other way round).
fn profile_binding(kind: ProfileKind, profile: ProfileId, account: AccountId) -> Binding {
    let purpose = match kind {
        ProfileKind::Personal => Purpose::PersonalProfileKey,
        ProfileKind::Business => Purpose::BusinessProfileKey,
    };
    Binding::new(purpose, profile.0, account.0)
}

/// The binding profile keys were wrapped with before kinds were bound: read only, to migrate.
fn older_profile_binding(profile: ProfileId, account: AccountId) -> Binding {
    Binding::new(Purpose::ProfileKey, profile.0, account.0)
}

/// Whether this browser opens profile keys wrapped the older way (without their kind) for an
/// account that has not signed its keys as kind-bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OlderWraps {
    /// The account was never seen kind-bound here: they open, and the browser migrates them.
    Accepted,
    /// This browser saw the account kind-bound before: a server serving the older form now is
    /// rolling it back (to relabel a profile) and is refused.
    Refused,
}

fn private_key_binding(purpose: Purpose, account: AccountId) -> Binding {
    Binding::new(purpose, account.0, account.0)
}

/// Everything sign-up sends, and the keys it unlocks.
pub struct NewAccount {
    /// Public and wrapped keys.
    pub keys: AccountKeys,
    /// KDF settings used.
    pub kdf: KdfParams,
    /// The stored salt.
    pub salt: Base64Bytes,
    /// The account key under the master password.
    pub envelope: Base64Bytes,
    /// Proof of the master password.
    pub auth_key: Base64Bytes,
    /// The keys, unlocked.
    pub vault: VaultKeys,
    /// What the master password yielded: signs in right after an invitation's sign-up without
    /// deriving it again.
    pub login: wasm_crypto::LoginKeys,
}

/// Converts the crypto crate's parameters to the wire type.
pub fn kdf_to_wire(params: wasm_crypto::KdfParams) -> KdfParams {
    KdfParams {
        memory_kib: params.memory_kib,
        iterations: params.iterations,
        parallelism: params.parallelism,
    }
}

/// Converts wire parameters to the crypto crate's.
pub fn kdf_from_wire(params: KdfParams) -> wasm_crypto::KdfParams {
    wasm_crypto::KdfParams {
        memory_kib: params.memory_kib,
        iterations: params.iterations,
        parallelism: params.parallelism,
    }
}

/// Makes every key of a new account in this browser.
pub fn make_account(
    email: &str,
    password: &MasterPassword,
    params: wasm_crypto::KdfParams,
) -> Result<NewAccount, KeyError> {
    let account_id = AccountId::new_v7();
    let account_key = make_symmetric_key();
    let (login, envelope) = make_password_envelope(password, email, &params, &account_key)
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
    let encryption_key = make_encryption_key();
    let signing_key = make_signing_key();
    let mut profiles = Vec::new();
    let mut wrapped_profiles = Vec::new();
    for kind in [ProfileKind::Personal, ProfileKind::Business] {
        let id = ProfileId::new_v7();
        let key = make_symmetric_key();
        wrapped_profiles.push(ProfileKey {
            id,
            kind,
            wrapped_key: Base64Bytes(
                wrap(&account_key, &profile_binding(kind, id, account_id), &key).into_bytes(),
            ),
        });
        profiles.push((id, kind, key));
    }
    let signature = signing_key.sign(&Statement::KindBoundAccountKeys {
        account_id: account_id.0,
        encryption_key: &encryption_key.public_key(),
        verifying_key: &signing_key.verifying_key(),
    });
    let keys = AccountKeys {
        encryption_public_key: Base64Bytes(encryption_key.public_key().to_bytes().to_vec()),
        verifying_key: Base64Bytes(signing_key.verifying_key().to_bytes().to_vec()),
        keys_signature: Base64Bytes(signature.into_bytes()),
        wrapped_encryption_key: Base64Bytes(
            wrap(
                &account_key,
                &private_key_binding(Purpose::AccountEncryptionKey, account_id),
                &encryption_key,
            )
            .into_bytes(),
        ),
        wrapped_signing_key: Base64Bytes(
            wrap(
                &account_key,
                &private_key_binding(Purpose::AccountSigningKey, account_id),
                &signing_key,
            )
            .into_bytes(),
        ),
        profiles: wrapped_profiles,
    };
    Ok(NewAccount {
        keys,
        kdf: kdf_to_wire(login.params()),
        salt: Base64Bytes(login.salt().to_bytes().to_vec()),
        envelope: Base64Bytes(envelope.into_bytes()),
        auth_key: Base64Bytes(login.auth_key().as_login_bytes().to_vec()),
        vault: VaultKeys {
            account_id,
            email: email.to_owned(),
            account_key,
            encryption_key,
            signing_key,
            profiles,
            kinds_bound: true,
        },
        login,
    })
}

/// Makes a new profile of `kind` for the unlocked account: its key, and the key wrapped by the
/// account key for the server.
pub fn make_profile(vault: &VaultKeys, kind: ProfileKind) -> ProfileKey {
    let id = ProfileId::new_v7();
    let key = make_symmetric_key();
    ProfileKey {
        id,
        kind,
        wrapped_key: Base64Bytes(
            wrap(
                &vault.account_key,
                &profile_binding(kind, id, vault.account_id),
                &key,
            )
            .into_bytes(),
        ),
    }
}

/// Opens a newer bundle of the unlocked account (same account key) into its keys. Once the
/// account is kind-bound, the older form is refused whatever `older`.
pub fn reopen(
    bundle: &AccountBundle,
    vault: &VaultKeys,
    older: OlderWraps,
) -> Result<VaultKeys, KeyError> {
    if bundle.account_id != vault.account_id {
        return Err(KeyError::Damaged(
            "the server sent another account's keys".into(),
        ));
    }
    let older = if vault.kinds_bound {
        OlderWraps::Refused
    } else {
        older
    };
    open_keys(bundle, vault.account_key.clone(), older)
}

/// Whether `a` and `b` (two openings of one account) agree on the kind of every profile both
/// hold: a bundle whose kinds only the server vouches for (not kind-bound yet) must not relabel
/// what this browser opened before.
pub fn same_kinds(a: &VaultKeys, b: &VaultKeys) -> bool {
    (a.profiles.iter()).all(|(id, kind, _)| {
        (b.profiles.iter())
            .filter(|(other, _, _)| other == id)
            .all(|(_, other_kind, _)| other_kind == kind)
    })
}

/// Whether `a` and `b` hold the same profiles, each of the same kind.
pub fn same_profiles(a: &VaultKeys, b: &VaultKeys) -> bool {
    a.profiles.len() == b.profiles.len()
        && (a.profiles.iter())
            .all(|(id, kind, _)| b.profiles.iter().any(|(i, k, _)| i == id && k == kind))
}

/// Whether the bundle's keys are signed kind-bound under its own verifying key (pins the
/// account as kind-bound when kept; whether its keys open is checked where it is opened).
pub fn signed_kind_bound(bundle: &AccountBundle) -> bool {
    let keys = &bundle.keys;
    let (Ok(encryption_key), Ok(verifying), Ok(signature)) = (
        EncryptionPublicKey::from_bytes(&keys.encryption_public_key.0),
        VerifyingKey::from_bytes(&keys.verifying_key.0),
        wasm_crypto::Signature::from_bytes(keys.keys_signature.0.clone()),
    ) else {
        return false;
    };
    let statement = Statement::KindBoundAccountKeys {
        account_id: bundle.account_id.0,
        encryption_key: &encryption_key,
        verifying_key: &verifying,
    };
    verifying.verify(&statement, &signature).is_ok()
}

/// What migrates an account made before kinds were bound: every profile key wrapped again with
/// its kind in the binding, and the keys signed as kind-bound. Only for keys whose kinds this
/// browser accepted (see [`OlderWraps`]).
pub fn bind_kinds(vault: &VaultKeys) -> BindProfileKindsRequest {
    let account_id = vault.account_id;
    let encryption_key = vault.encryption_key.public_key();
    let verifying_key = vault.signing_key.verifying_key();
    let signature = vault.signing_key.sign(&Statement::KindBoundAccountKeys {
        account_id: account_id.0,
        encryption_key: &encryption_key,
        verifying_key: &verifying_key,
    });
    BindProfileKindsRequest {
        keys_signature: Base64Bytes(signature.into_bytes()),
        profiles: (vault.profiles.iter())
            .map(|(id, kind, key)| ProfileKey {
                id: *id,
                kind: *kind,
                wrapped_key: Base64Bytes(
                    wrap(
                        &vault.account_key,
                        &profile_binding(*kind, *id, account_id),
                        key,
                    )
                    .into_bytes(),
                ),
            })
            .collect(),
    }
}

fn envelope_of(bundle: &AccountBundle) -> Result<PasswordEnvelope, KeyError> {
    PasswordEnvelope::from_bytes(bundle.password_envelope.0.clone()).map_err(damaged)
}

/// Opens a bundle with the master password alone (unlock, also offline).
pub fn unlock_bundle(
    bundle: &AccountBundle,
    password: &MasterPassword,
    older: OlderWraps,
) -> Result<VaultKeys, KeyError> {
    let envelope = envelope_of(bundle)?;
    let (_, account_key) = wasm_crypto::open_password_envelope(password, &bundle.email, &envelope)
        .map_err(|e| match e {
            wasm_crypto::Error::WrongPassword => KeyError::WrongPassword,
            wasm_crypto::Error::KdfTooWeak { .. } | wasm_crypto::Error::KdfTooCostly { .. } => {
                KeyError::Kdf(e.to_string())
            }
            other => damaged(other),
        })?;
    open_keys(bundle, account_key, older)
}

/// Opens a bundle with login keys already derived (sign-in).
pub fn open_bundle(
    bundle: &AccountBundle,
    login: &LoginKeys,
    older: OlderWraps,
) -> Result<VaultKeys, KeyError> {
    let account_key = login
        .open_account_key(&envelope_of(bundle)?)
        .map_err(|e| match e {
            wasm_crypto::Error::WrongPassword => KeyError::WrongPassword,
            other => damaged(other),
        })?;
    open_keys(bundle, account_key, older)
}

fn open_keys(
    bundle: &AccountBundle,
    account_key: SymmetricKey,
    older: OlderWraps,
) -> Result<VaultKeys, KeyError> {
    let keys = &bundle.keys;
    let account_id = bundle.account_id;
    let encryption_public =
        EncryptionPublicKey::from_bytes(&keys.encryption_public_key.0).map_err(damaged)?;
    let verifying = VerifyingKey::from_bytes(&keys.verifying_key.0).map_err(damaged)?;
    let signature =
        wasm_crypto::Signature::from_bytes(keys.keys_signature.0.clone()).map_err(damaged)?;
    // Kind-bound (what accounts sign now), or the older statement of an account made before.
    let kinds_bound = verifying
        .verify(
            &Statement::KindBoundAccountKeys {
                account_id: account_id.0,
                encryption_key: &encryption_public,
                verifying_key: &verifying,
            },
            &signature,
        )
        .is_ok();
    if !kinds_bound {
        verifying
            .verify(
                &Statement::AccountKeys {
                    account_id: account_id.0,
                    encryption_key: &encryption_public,
                    verifying_key: &verifying,
                },
                &signature,
            )
            .map_err(damaged)?;
        if older == OlderWraps::Refused {
            return Err(KeyError::Damaged(
                "the server serves this account's keys in a form older than this browser has seen, which would let it relabel a profile".into(),
            ));
        }
    }
    let encryption_key: EncryptionPrivateKey = unwrap(
        &account_key,
        &private_key_binding(Purpose::AccountEncryptionKey, account_id),
        &WrappedKey::from_bytes(keys.wrapped_encryption_key.0.clone()).map_err(damaged)?,
    )
    .map_err(damaged)?;
    let signing_key: SigningKey = unwrap(
        &account_key,
        &private_key_binding(Purpose::AccountSigningKey, account_id),
        &WrappedKey::from_bytes(keys.wrapped_signing_key.0.clone()).map_err(damaged)?,
    )
    .map_err(damaged)?;
    // The private keys must match the public keys the account signed.
    if encryption_key.public_key() != encryption_public || signing_key.verifying_key() != verifying
    {
        return Err(KeyError::Damaged(
            "the private keys do not match the public keys".into(),
        ));
    }
    let mut profiles = Vec::new();
    for p in &keys.profiles {
        let wrapped = WrappedKey::from_bytes(p.wrapped_key.0.clone()).map_err(damaged)?;
        let key: SymmetricKey = match unwrap(
            &account_key,
            &profile_binding(p.kind, p.id, account_id),
            &wrapped,
        ) {
            Ok(key) => key,
            Err(_) if !kinds_bound => unwrap(
                &account_key,
                &older_profile_binding(p.id, account_id),
                &wrapped,
            )
            .map_err(damaged)?,
            Err(_) => {
                return Err(KeyError::Damaged(format!(
                    "the server labels a profile {}, but its key says otherwise",
                    match p.kind {
                        ProfileKind::Personal => "Personal",
                        ProfileKind::Business => "Business",
                    }
                )));
            }
        };
        profiles.push((p.id, p.kind, key));
    }
    Ok(VaultKeys {
        account_id,
        email: bundle.email.clone(),
        account_key,
        encryption_key,
        signing_key,
        profiles,
        kinds_bound,
    })
}

/// The cheapest KDF settings the crate accepts: keeps tests fast.
#[cfg(test)]
pub(crate) const TEST_KDF: wasm_crypto::KdfParams = wasm_crypto::KdfParams {
    memory_kib: 19 * 1024,
    iterations: 2,
    parallelism: 1,
};

/// A new account's keys, made as at sign-up (for tests).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn test_account(email: &str) -> NewAccount {
    make_account(
        email,
        &MasterPassword::new("correct horse".into()),
        TEST_KDF,
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const FAST: wasm_crypto::KdfParams = TEST_KDF;

    #[test]
    fn the_browsers_kdf_floor_is_the_servers_and_what_new_accounts_get() {
        let floor = crate::services::kdf_pin::KDF_FLOOR;
        assert_eq!(kdf_to_wire(floor), KdfParams::FLOOR);
        assert_eq!(floor, wasm_crypto::KdfParams::DEFAULT);
        assert!(
            !TEST_KDF.at_least(&floor),
            "the tests' cheap settings are below it"
        );
    }

    fn bundle_of(new: &NewAccount) -> AccountBundle {
        AccountBundle {
            account_id: new.vault.account_id,
            email: new.vault.email.clone(),
            kdf: new.kdf,
            password_envelope: new.envelope.clone(),
            keys: new.keys.clone(),
            published_keys: None,
        }
    }

    #[test]
    fn a_new_account_unlocks_with_its_password_only() {
        let password = MasterPassword::new("a long and unusual passphrase".into());
        let new = make_account("alice@example.com", &password, FAST).unwrap();
        let bundle = bundle_of(&new);
        let unlocked = unlock_bundle(&bundle, &password, OlderWraps::Refused).unwrap();
        assert_eq!(unlocked.account_id, new.vault.account_id);
        assert_eq!(unlocked.profiles.len(), 2);
        assert!(unlocked.account_key == new.vault.account_key);
        let wrong = MasterPassword::new("a long and unusual passphrasf".into());
        assert_eq!(
            unlock_bundle(&bundle, &wrong, OlderWraps::Refused).unwrap_err(),
            KeyError::WrongPassword
        );
    }

    #[test]
    fn a_bundle_with_swapped_keys_is_refused() {
        let password = MasterPassword::new("a long and unusual passphrase".into());
        let a = make_account("alice@example.com", &password, FAST).unwrap();
        let b = make_account("alice@example.com", &password, FAST).unwrap();
        // A server serving another account's public keys with this account's envelope.
        let mut bundle = bundle_of(&a);
        bundle.keys.encryption_public_key = b.keys.encryption_public_key.clone();
        assert!(matches!(
            unlock_bundle(&bundle, &password, OlderWraps::Refused),
            Err(KeyError::Damaged(_))
        ));
        let mut bundle = bundle_of(&a);
        bundle.keys.profiles.swap(0, 1);
        bundle.keys.profiles[0].id = a.keys.profiles[0].id;
        assert!(matches!(
            unlock_bundle(&bundle, &password, OlderWraps::Refused),
            Err(KeyError::Damaged(_))
        ));
    }

    /// `new` as an account made before kinds were bound: profile keys wrapped without their
    /// kind, keys signed with the older statement.
    fn older_form(new: &NewAccount) -> AccountBundle {
        let vault = &new.vault;
        let mut bundle = bundle_of(new);
        for (p, (id, _, key)) in bundle.keys.profiles.iter_mut().zip(&vault.profiles) {
            p.wrapped_key = Base64Bytes(
                wrap(
                    &vault.account_key,
                    &older_profile_binding(*id, vault.account_id),
                    key,
                )
                .into_bytes(),
            );
        }
        let signature = vault.signing_key.sign(&Statement::AccountKeys {
            account_id: vault.account_id.0,
            encryption_key: &vault.encryption_key.public_key(),
            verifying_key: &vault.signing_key.verifying_key(),
        });
        bundle.keys.keys_signature = Base64Bytes(signature.into_bytes());
        bundle
    }

    fn relabelled(mut bundle: AccountBundle) -> AccountBundle {
        for p in &mut bundle.keys.profiles {
            p.kind = match p.kind {
                ProfileKind::Personal => ProfileKind::Business,
                ProfileKind::Business => ProfileKind::Personal,
            };
        }
        bundle
    }

    fn is_damaged(opened: Result<VaultKeys, KeyError>) -> bool {
        matches!(opened, Err(KeyError::Damaged(_)))
    }

    #[test]
    fn a_profile_relabelled_by_the_server_does_not_open() {
        let password = MasterPassword::new("correct horse".into());
        let new = test_account("alice@example.com");
        let bundle = bundle_of(&new);
        let opened = unlock_bundle(&bundle, &password, OlderWraps::Accepted).unwrap();
        assert!(opened.kinds_bound);
        // Personal served as Business and back: refused, even where older wraps are accepted.
        for older in [OlderWraps::Accepted, OlderWraps::Refused] {
            assert!(is_damaged(unlock_bundle(
                &relabelled(bundle.clone()),
                &password,
                older
            )));
            assert!(is_damaged(reopen(
                &relabelled(bundle.clone()),
                &opened,
                older
            )));
        }
        // A new Business profile is made kind-bound too.
        let mut grown = bundle.clone();
        grown
            .keys
            .profiles
            .retain(|p| p.kind == ProfileKind::Personal);
        let business = make_profile(&opened, ProfileKind::Business);
        grown.keys.profiles.push(business.clone());
        assert!(reopen(&grown, &opened, OlderWraps::Refused).is_ok());
        grown.keys.profiles.last_mut().unwrap().kind = ProfileKind::Personal;
        assert!(is_damaged(reopen(&grown, &opened, OlderWraps::Refused)));
    }

    #[test]
    fn an_older_account_opens_until_it_is_migrated_and_never_in_the_older_form_again() {
        let password = MasterPassword::new("correct horse".into());
        let new = test_account("alice@example.com");
        let older = older_form(&new);
        // Not yet seen kind-bound here: it opens (its kinds are the server's word) ...
        let opened = unlock_bundle(&older, &password, OlderWraps::Accepted).unwrap();
        assert!(!opened.kinds_bound);
        // ... but not in a browser that saw it kind-bound.
        assert!(is_damaged(unlock_bundle(
            &older,
            &password,
            OlderWraps::Refused
        )));
        // The migration: every key wrapped again with its kind, the keys signed as kind-bound.
        let request = bind_kinds(&opened);
        let mut migrated = older.clone();
        migrated.keys.keys_signature = request.keys_signature.clone();
        migrated.keys.profiles = request.profiles.clone();
        let reopened = reopen(&migrated, &opened, OlderWraps::Accepted).unwrap();
        assert!(reopened.kinds_bound);
        for ((id, kind, key), (i, k, kk)) in reopened.profiles.iter().zip(&opened.profiles) {
            assert!(id == i && kind == k && key == kk, "the same profile keys");
        }
        // Once kind-bound: relabelled refused, and the older form refused from a bound vault.
        assert!(is_damaged(unlock_bundle(
            &relabelled(migrated.clone()),
            &password,
            OlderWraps::Accepted
        )));
        assert!(is_damaged(reopen(&older, &reopened, OlderWraps::Accepted)));
        // Older wraps under a kind-bound signature (a server mixing the two): refused.
        let mut mixed = migrated.clone();
        mixed.keys.profiles = older.keys.profiles.clone();
        assert!(is_damaged(unlock_bundle(
            &mixed,
            &password,
            OlderWraps::Accepted
        )));
    }
}
