//! Accounts and sign-in: sign-up, email confirmation, prelogin, login with per-browser
//! verification, and sessions.
//!
//! Invariants (each part states its own in detail):
//! - No reply tells whether an email has an account: prelogin answers unknown emails with stable
//!   made-up parameters, a wrong password and an unknown email get the same error after the same
//!   work, and sign-up and confirmation answer the same, after the same work, whether or not the
//!   address is taken. Every per-account limit is keyed by the normalised email (or a browser's
//!   own id), so limits answer alike too, and none that others can fill blocks a verified browser.
//! - Only hashes are stored: a salted hash of the auth key, keyed hashes of one-time codes, hashes
//!   of session tokens.
//! - One-time codes: 8 digits (26.6 bits), 10 minutes, single use, 5 attempts.
//!
//! The parts: `validate` refuses malformed input at the door; `signup` creates and confirms
//! accounts; `login` answers prelogin and signs in; `email_codes` issues, mails and redeems
//! one-time codes; `sessions` opens, checks, lists and ends sessions; `devices` tracks the
//! browsers an account signed in from; `password` changes the master password. This file holds
//! the helpers they share: the rate-limit table, the auth-key hash, randomness and the clock.

mod devices;
mod email_codes;
mod login;
mod password;
mod profiles;
mod sessions;
mod signup;
mod validate;

pub use devices::{devices, revoke_device};
pub use email_codes::{CODE_LIFETIME, CODE_MAX_ATTEMPTS};
pub use login::{login, prelogin};
pub use password::change_password;
pub use profiles::{add_profile, bind_profile_kinds};
pub use sessions::{
    NewSession, SESSION_COOKIE, SESSION_IDLE, SESSION_LIFETIME, SessionInfo, account_of, bundle,
    end_session, find_session, revoke_session, sessions, sign_out_everywhere,
};
pub(crate) use signup::{check_account_id_free, create_account};
pub use signup::{confirm_email, signup};
pub(crate) use validate::check_signup;
pub use validate::normalize_email;

use sea_orm::EntityTrait;
use sha2::{Digest, Sha256};
use shared_types::AccountId;
use shared_types::account::KdfParams;
use time::OffsetDateTime;

use crate::entity::account;
use crate::error::ApiError;
use crate::services::rate_limit::{self, Limit};
use crate::state::AppState;

fn limit(max: i32, window_secs: i64) -> Limit {
    Limit { max, window_secs }
}
// Per-account limits are keyed by the normalised email (or an id only the owner's browser
// knows), whether or not the address has an account, so a limit answers alike for both; and
// those that anyone who knows an address can fill never stand in the way of the owner's own
// verified browser.
const LIMIT_PRELOGIN_IP: (i32, i64) = (60, 60);
pub(crate) const LIMIT_SIGNUP_IP: (i32, i64) = (10, 3600);
/// Sign-ups per address (each mails it once, a code or a notice to its owner).
const LIMIT_SIGNUP_EMAIL: (i32, i64) = (5, 3600);
const LIMIT_LOGIN_IP: (i32, i64) = (30, 600);
/// Sign-in attempts per address from browsers it has not verified, and per verified browser.
const LIMIT_LOGIN_ACCOUNT: (i32, i64) = (10, 600);
/// Code tries per address (confirmation) and per browser being verified.
const LIMIT_CODE_ACCOUNT: (i32, i64) = (10, 900);
/// Mails per account and kind (sign-in codes, notices), beyond sign-up's own limit per address.
const LIMIT_MAIL_ACCOUNT: (i32, i64) = (5, 3600);

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

pub(crate) async fn check_limit(
    state: &AppState,
    bucket: String,
    (max, window): (i32, i64),
) -> Result<(), ApiError> {
    rate_limit::hit(
        &state.db,
        &bucket,
        limit(max, window),
        now().unix_timestamp(),
    )
    .await?
    .map_err(ApiError::RateLimited)
}

/// A per-IP limit, scaled by the configured multiplier.
pub(crate) async fn check_ip_limit(
    state: &AppState,
    name: &str,
    ip: &str,
    (max, window): (i32, i64),
) -> Result<(), ApiError> {
    let max = max.saturating_mul(state.ip_limit_multiplier.max(1));
    check_limit(state, format!("{name}:ip:{}", ip_group(ip)), (max, window)).await
}

/// Who a per-IP limit counts: an IPv4 address, or an IPv6 address's /64 (one subscriber gets a
/// whole /64 and can pick any address in it). An IPv4 address mapped into IPv6 counts as itself.
fn ip_group(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|e| ApiError::Internal(Box::new(std::io::Error::other(e.to_string()))))?;
    Ok(out)
}

pub(crate) fn hash_auth_key(salt: &[u8], auth_key: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"strongroom/v1/auth-hash");
    hasher.update(salt);
    hasher.update(auth_key);
    hasher.finalize().into()
}

fn kdf_of(a: &account::Model) -> KdfParams {
    KdfParams {
        memory_kib: a.kdf_memory_kib as u32,
        iterations: a.kdf_iterations as u32,
        parallelism: a.kdf_parallelism as u32,
    }
}

async fn account_by_id(state: &AppState, id: AccountId) -> Result<account::Model, ApiError> {
    account::Entity::find_by_id(id.0)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_ip_limits_count_an_ipv6_subscriber_as_one() {
        assert_eq!(ip_group("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(ip_group("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
        assert_ne!(ip_group("2001:db8:1:3::1"), ip_group("2001:db8:1:2::1"));
        assert_eq!(ip_group("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(ip_group("192.0.2.7"), "192.0.2.7");
        assert_eq!(ip_group("unknown"), "unknown");
    }

    #[test]
    fn auth_hashes_depend_on_salt_and_key() {
        let a = hash_auth_key(&[1; 16], &[2; 32]);
        assert_ne!(a, hash_auth_key(&[3; 16], &[2; 32]));
        assert_ne!(a, hash_auth_key(&[1; 16], &[4; 32]));
        assert_eq!(a, hash_auth_key(&[1; 16], &[2; 32]));
    }
}
