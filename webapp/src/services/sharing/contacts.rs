//! Contacts: looking people's keys up, judging them against the pins, and keeping the pins.
//! [`found`] is the pure decision; the async calls around it fetch and write.

use shared_types::sharing::{KeyCertificate, KeyLookupRequest, MAX_KEY_LOOKUP, PublishedKeys};
use wasm_crypto::{VerifyingKey, normalize_email};

use super::published::{Asked, KeysRefused, VerifiedKeys, verify};
use super::trust::{ContactPin, Judgement, PinSource, judge};
use crate::api::ApiClient;
use crate::cache::Cache;
use crate::services::vault::{BrowserSession, VaultSession};

/// What a lookup found for one person, judged against the pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// No account with published keys (or the server served none).
    Nobody,
    /// The server served keys that are not validly that person's.
    Refused(KeysRefused),
    /// Valid keys, and what they mean against the pin held for that person.
    Judged {
        /// The keys served.
        served: Box<VerifiedKeys>,
        /// The pin they were judged against.
        pin: Option<ContactPin>,
        /// The judgement.
        judgement: Judgement,
    },
}

/// Judges what the server served for `asked` against `pins`: the pin of the served account,
/// or else the pin of the address asked for (an address that now names another account is a
/// change of keys). `company` is the pinned company key, with the certificates served.
pub fn found(
    pins: &[ContactPin],
    asked: Asked<'_>,
    served: Option<&PublishedKeys>,
    company: Option<(&VerifyingKey, &[KeyCertificate])>,
) -> Found {
    let Some(served_keys) = served else {
        return Found::Nobody;
    };
    let certified = company.is_some_and(|(key, certificates)| {
        (certificates.iter())
            .any(|c| c.account_id == served_keys.account_id && c.certifies(key, served_keys))
    });
    let served = match verify(served_keys, &asked) {
        Ok(keys) => keys,
        Err(refused) => return Found::Refused(refused),
    };
    let by_account = pins.iter().find(|p| p.account_id == served.account_id);
    let by_email = match asked {
        Asked::Email(email) => {
            let email = normalize_email(email);
            pins.iter().find(|p| p.email == email)
        }
        Asked::Account(_) => None,
    };
    let pin = by_account.or(by_email).cloned();
    let judgement = judge(pin.as_ref(), &served, certified);
    Found::Judged {
        served: Box::new(served),
        pin,
        judgement,
    }
}

/// Keeps what a judgement allows without asking: a first pin, or the pin following the same
/// keys to a newer statement. Changed or replayed keys are left for the person.
pub async fn keep<C: Cache>(
    session: &VaultSession<C>,
    found: &Found,
    now_ms: i64,
) -> Result<(), String> {
    let Found::Judged {
        served,
        pin,
        judgement,
    } = found
    else {
        return Ok(());
    };
    let pin = match (judgement, pin) {
        (Judgement::New, _) => ContactPin::of(served, PinSource::FirstUse, now_ms),
        (Judgement::NewCertified | Judgement::Recertified { .. }, _) => {
            ContactPin::of(served, PinSource::Certified, now_ms)
        }
        (Judgement::NowCertified, Some(pin)) => ContactPin {
            email: served.email.clone(),
            key_epoch: served.key_epoch,
            source: PinSource::Certified,
            ..pin.clone()
        },
        (Judgement::Updated, Some(pin)) => ContactPin {
            email: served.email.clone(),
            key_epoch: served.key_epoch,
            ..pin.clone()
        },
        _ => return Ok(()),
    };
    session
        .pin_contact(pin, now_ms)
        .await
        .map_err(|e| e.to_string())
}

/// Looks `email` up and pins it on first use.
pub async fn look_up(
    api: &ApiClient,
    session: &BrowserSession,
    email: &str,
    now_ms: i64,
) -> Result<Found, String> {
    let reply = api
        .lookup_keys(&KeyLookupRequest {
            emails: vec![email.to_owned()],
            account_ids: Vec::new(),
        })
        .await
        .map_err(|e| e.to_string())?;
    let company = session.company_key();
    let result = found(
        &session.contacts(),
        Asked::Email(email),
        reply.keys.first(),
        company.as_ref().map(|k| (k, &reply.certificates[..])),
    );
    keep(session, &result, now_ms).await?;
    Ok(result)
}

/// Looks every pinned contact up again, by account id; follows unchanged keys to newer
/// statements and reports what else was found for each.
pub async fn refresh(
    api: &ApiClient,
    session: &BrowserSession,
    now_ms: i64,
) -> Result<Vec<(ContactPin, Found)>, String> {
    let pins = session.contacts();
    let company = session.company_key();
    let mut out = Vec::with_capacity(pins.len());
    for chunk in pins.chunks(MAX_KEY_LOOKUP) {
        let reply = api
            .lookup_keys(&KeyLookupRequest {
                emails: Vec::new(),
                account_ids: chunk.iter().map(|p| p.account_id).collect(),
            })
            .await
            .map_err(|e| e.to_string())?;
        for pin in chunk {
            let served = reply.keys.iter().find(|k| k.account_id == pin.account_id);
            let certificates = company.as_ref().map(|k| (k, &reply.certificates[..]));
            let result = found(&pins, Asked::Account(pin.account_id), served, certificates);
            keep(session, &result, now_ms).await?;
            out.push((pin.clone(), result));
        }
    }
    Ok(out)
}

/// The person compared fingerprints: pins `keys` as compared (also over changed keys).
pub async fn trust_compared(
    session: &BrowserSession,
    keys: &VerifiedKeys,
    now_ms: i64,
) -> Result<(), String> {
    session
        .pin_contact(ContactPin::of(keys, PinSource::Compared, now_ms), now_ms)
        .await
        .map_err(|e| e.to_string())
}

/// The person compared the fingerprint of a pinned contact: marks the pin as compared.
pub async fn mark_compared(
    session: &BrowserSession,
    pin: &ContactPin,
    now_ms: i64,
) -> Result<(), String> {
    let compared = ContactPin {
        source: PinSource::Compared,
        ..pin.clone()
    };
    session
        .pin_contact(compared, now_ms)
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
#[path = "contacts_tests.rs"]
mod tests;
