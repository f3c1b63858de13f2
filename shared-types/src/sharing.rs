//! Sharing: the public keys accounts publish for one another. Every statement here is signed in
//! a browser and checked again by the browsers that rely on it; the server only stores and
//! serves it.

use serde::{Deserialize, Serialize};

use crate::{AccountId, Base64Bytes};

/// The most addresses or ids one key lookup may ask for.
pub const MAX_KEY_LOOKUP: usize = 50;

/// An account's public keys at one key epoch, with the account's signature over them
/// (`wasm_crypto::Statement::PublishedKeys`). `PUT /api/account/keys` publishes one; lookups
/// return the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedKeys {
    /// The account.
    pub account_id: AccountId,
    /// Goes up by one each time the account's key pairs change; starts at 1.
    pub key_epoch: u64,
    /// The address the statement names (normalised).
    pub email: String,
    /// X25519 public key.
    pub encryption_key: Base64Bytes,
    /// Ed25519 public key.
    pub verifying_key: Base64Bytes,
    /// The account's signature over the statement.
    pub signature: Base64Bytes,
}

/// `POST /api/keys/lookup`: the current published keys of accounts, by address or by id (at
/// most [`MAX_KEY_LOOKUP`] in all). Addresses outside the caller's company count against an
/// hourly limit; ids (which the caller learnt from a list it holds) do not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLookupRequest {
    /// Addresses to look up.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Accounts to look up.
    #[serde(default)]
    pub account_ids: Vec<AccountId>,
}

/// The reply to a key lookup. An address or id without a confirmed account that has published
/// keys is simply absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyLookupReply {
    /// One entry per account found.
    pub keys: Vec<PublishedKeys>,
}
