//! Shares made the way a browser makes them: real share keys, lists signed with the owner's
//! published keys, and the key wrapped with HPKE to each recipient.

use reqwest::StatusCode;
use shared_types::sharing::{
    AccessListBody, CreateShareRequest, EntryKind, KeyWrapping, ListEntry, ListKind, ListRole,
    ShareMeta, SignedList,
};
use shared_types::{AccountId, Base64Bytes, ShareId};
use uuid::Uuid;
use wasm_crypto::{
    Binding, EncryptionPublicKey, HpkeBinding, Purpose, Statement, SymmetricKey,
    make_symmetric_key, wrap_to_public_key,
};

use super::TestServer;
use super::accounts::{Reply, TestUser};

/// A person who has signed up and published their keys.
pub struct Person {
    pub user: TestUser,
    pub session: String,
}

impl TestServer {
    /// Signs up `email` and publishes its keys, as a browser does after its first sign-in.
    pub async fn person(&self, email: &str) -> Person {
        let (user, session) = self.signed_up(email, "correct horse").await;
        let put: Reply<()> = self
            .put("/api/account/keys", &user.published_keys(1), Some(&session))
            .await;
        assert_eq!(put.status, StatusCode::NO_CONTENT);
        Person { user, session }
    }
}

/// A share being made or changed in the owner's browser: its id, key and list.
pub struct ShareDraft {
    pub id: ShareId,
    pub key: SymmetricKey,
    pub generation_id: Uuid,
    pub entries: Vec<ListEntry>,
}

impl ShareDraft {
    /// A new share owned by `owner`.
    pub fn new(owner: &Person) -> Self {
        Self {
            id: ShareId::new_v7(),
            key: make_symmetric_key(),
            generation_id: Uuid::now_v7(),
            entries: vec![ListEntry {
                id: owner.user.account_id.0,
                kind: EntryKind::Account,
                role: ListRole::Owner,
            }],
        }
    }

    /// Adds (or changes) `person`'s entry.
    pub fn with(mut self, person: &Person, role: ListRole) -> Self {
        self.entries.retain(|e| e.id != person.user.account_id.0);
        self.entries.push(ListEntry {
            id: person.user.account_id.0,
            kind: EntryKind::Account,
            role,
        });
        self
    }

    /// Without `person`'s entry.
    pub fn without(mut self, person: &Person) -> Self {
        self.entries.retain(|e| e.id != person.user.account_id.0);
        self
    }

    /// The list at `epoch`.
    pub fn list(&self, epoch: u64) -> AccessListBody {
        AccessListBody {
            kind: ListKind::Share,
            object_id: self.id.0,
            epoch,
            generation: 1,
            generation_id: self.generation_id,
            group_key: None,
            entries: self.entries.clone(),
        }
    }

    /// The list at `epoch`, signed by `signer`.
    pub fn signed(&self, epoch: u64, signer: &Person) -> SignedList {
        sign(self.list(epoch), signer)
    }

    /// The share key wrapped by `sender` to `recipient`.
    pub fn wrap(&self, sender: &Person, recipient: &Person) -> KeyWrapping {
        let binding = HpkeBinding {
            purpose: Purpose::ShareKey,
            object_id: self.generation_id,
            sender_id: sender.user.account_id.0,
            recipient_id: recipient.user.account_id.0,
        };
        let public: EncryptionPublicKey = recipient.user.encryption.public_key();
        let (wrapped, signature) =
            wrap_to_public_key(&public, &binding, &self.key, &sender.user.signing).unwrap();
        KeyWrapping {
            recipient: recipient.user.account_id.0,
            recipient_kind: EntryKind::Account,
            recipient_generation: 0,
            generation: 0,
            sender: sender.user.account_id,
            wrapped: Base64Bytes(wrapped.into_bytes()),
            signature: Base64Bytes(signature.into_bytes()),
        }
    }

    /// The request that makes the share, the key wrapped by the owner to each of `holders`.
    pub fn create(&self, owner: &Person, holders: &[&Person]) -> CreateShareRequest {
        let name = wasm_crypto::seal(
            &self.key,
            &Binding::new(Purpose::ShareName, self.id.0, self.id.0),
            b"Client servers",
        );
        CreateShareRequest {
            id: self.id,
            sealed_name: Base64Bytes(name.into_bytes()),
            list: self.signed(1, owner),
            wrappings: holders.iter().map(|h| self.wrap(owner, h)).collect(),
        }
    }
}

/// `list` signed by `signer`.
pub fn sign(list: AccessListBody, signer: &Person) -> SignedList {
    let statement = backend::services::sharing::lists::to_crypto(&list).unwrap();
    let signature = signer.user.signing.sign(&Statement::AccessList(&statement));
    SignedList {
        list,
        signer: signer.user.account_id,
        signature: Base64Bytes(signature.into_bytes()),
    }
}

impl TestServer {
    /// Makes the share; asserts it was made.
    pub async fn share(
        &self,
        owner: &Person,
        draft: &ShareDraft,
        holders: &[&Person],
    ) -> ShareMeta {
        let reply: Reply<ShareMeta> = self
            .post(
                "/api/shares",
                &draft.create(owner, holders),
                Some(&owner.session),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        reply.body
    }
}

/// The account's id.
pub fn id_of(person: &Person) -> AccountId {
    person.user.account_id
}
