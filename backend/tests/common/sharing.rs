//! Shares made the way a browser makes them: real share keys, lists signed with the owner's
//! published keys, and the key wrapped with HPKE to each recipient.

use reqwest::StatusCode;
use shared_types::org::{RemoveMemberRequest, RemoveMode};
use shared_types::sharing::{
    AccessListBody, CreateGroupRequest, CreateShareRequest, EntryKind, GroupMeta, KeyWrapping,
    ListEntry, ListKind, ListRole, ShareMeta, SignedList,
};
use shared_types::{AccountId, Base64Bytes, CompanyId, GroupId, ShareId};
use uuid::Uuid;
use wasm_crypto::{
    Binding, EncryptionPrivateKey, EncryptionPublicKey, HpkeBinding, Purpose, Statement,
    SymmetricKey, make_encryption_key, make_symmetric_key, wrap_to_public_key,
};

use super::TestServer;
use super::accounts::{Reply, TestUser};
use super::orgs::{add_member, company_of_partner};

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

    /// Adds an invitee (someone without an account) by address.
    pub fn inviting(mut self, email: &str, role: ListRole) -> Self {
        self.entries.push(ListEntry {
            id: wasm_crypto::derive_invitee_id(email),
            kind: EntryKind::Invitee,
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
            invitees: Vec::new(),
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

/// A group being made or changed in a manager's browser: its id, current key pair and list.
pub struct GroupDraft {
    pub id: GroupId,
    pub company: CompanyId,
    pub key: EncryptionPrivateKey,
    pub generation: u64,
    pub generation_id: Uuid,
    pub entries: Vec<ListEntry>,
}

impl GroupDraft {
    /// A new group of `company` managed (and joined) by `creator`.
    pub fn new(company: CompanyId, creator: &Person) -> Self {
        Self {
            id: GroupId::new_v7(),
            company,
            key: make_encryption_key(),
            generation: 1,
            generation_id: Uuid::now_v7(),
            entries: vec![ListEntry {
                id: creator.user.account_id.0,
                kind: EntryKind::Account,
                role: ListRole::MemberManager,
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

    /// The next generation without `person`: a new key pair and generation id, as taking
    /// someone out needs.
    pub fn without(&self, person: &Person) -> Self {
        Self {
            id: self.id,
            company: self.company,
            key: make_encryption_key(),
            generation: self.generation + 1,
            generation_id: Uuid::now_v7(),
            entries: self
                .entries
                .iter()
                .filter(|e| e.id != person.user.account_id.0)
                .copied()
                .collect(),
        }
    }

    /// The list at `epoch`.
    pub fn list(&self, epoch: u64) -> AccessListBody {
        AccessListBody {
            kind: ListKind::Group,
            object_id: self.id.0,
            epoch,
            generation: self.generation,
            generation_id: self.generation_id,
            group_key: Some(Base64Bytes(self.key.public_key().to_bytes().to_vec())),
            entries: self.entries.clone(),
        }
    }

    /// The list at `epoch`, signed by `signer`.
    pub fn signed(&self, epoch: u64, signer: &Person) -> SignedList {
        sign(self.list(epoch), signer)
    }

    /// The group's private key wrapped by `sender` to `recipient`.
    pub fn wrap(&self, sender: &Person, recipient: &Person) -> KeyWrapping {
        let binding = HpkeBinding {
            purpose: Purpose::GroupPrivateKey,
            object_id: self.generation_id,
            sender_id: sender.user.account_id.0,
            recipient_id: recipient.user.account_id.0,
        };
        let (wrapped, signature) = wrap_to_public_key(
            &recipient.user.encryption.public_key(),
            &binding,
            &self.key,
            &sender.user.signing,
        )
        .unwrap();
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

    /// The request that makes the group, its key wrapped by `creator` to each of `holders`.
    pub fn create(&self, creator: &Person, holders: &[&Person]) -> CreateGroupRequest {
        CreateGroupRequest {
            id: self.id,
            sealed_name: super::random(60),
            list: self.signed(1, creator),
            wrappings: holders.iter().map(|h| self.wrap(creator, h)).collect(),
        }
    }
}

impl ShareDraft {
    /// Adds (or changes) `group`'s entry.
    pub fn with_group(mut self, group: &GroupDraft, role: ListRole) -> Self {
        self.entries.retain(|e| e.id != group.id.0);
        self.entries.push(ListEntry {
            id: group.id.0,
            kind: EntryKind::Group,
            role,
        });
        self
    }

    /// The share key wrapped by `sender` to the group's current key.
    pub fn wrap_to_group(&self, sender: &Person, group: &GroupDraft) -> KeyWrapping {
        let binding = HpkeBinding {
            purpose: Purpose::ShareKey,
            object_id: self.generation_id,
            sender_id: sender.user.account_id.0,
            recipient_id: group.id.0,
        };
        let (wrapped, signature) = wrap_to_public_key(
            &group.key.public_key(),
            &binding,
            &self.key,
            &sender.user.signing,
        )
        .unwrap();
        KeyWrapping {
            recipient: group.id.0,
            recipient_kind: EntryKind::Group,
            recipient_generation: group.generation,
            generation: 0,
            sender: sender.user.account_id,
            wrapped: Base64Bytes(wrapped.into_bytes()),
            signature: Base64Bytes(signature.into_bytes()),
        }
    }
}

impl TestServer {
    /// Makes the group in `draft.company` as `creator`; asserts it was made.
    pub async fn group(
        &self,
        creator: &Person,
        draft: &GroupDraft,
        holders: &[&Person],
    ) -> GroupMeta {
        let reply: Reply<GroupMeta> = self
            .post(
                &format!("/api/companies/{}/groups", draft.company),
                &draft.create(creator, holders),
                Some(&creator.session),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body
    }
}

/// A company of a partner, with its partner's Admin (staff), its own Admin and `users`.
pub struct Acme {
    pub company: CompanyId,
    pub staff: Person,
    pub admin: Person,
    pub users: Vec<Person>,
}

pub async fn acme(server: &TestServer, users: &[&str]) -> Acme {
    let staff = server.person("msp@example.com").await;
    let partner = server.new_partner(&staff.session, "MSP").await;
    let db = server.database().await;
    let company = company_of_partner(&db, partner.id, "Acme").await;
    let admin = server.person("admin@acme.example").await;
    add_member(&db, company, id_of(&admin), "admin").await;
    let mut people = Vec::new();
    for name in users {
        let person = server.person(&format!("{name}@acme.example")).await;
        add_member(&db, company, id_of(&person), "user").await;
        people.push(person);
    }
    Acme {
        company,
        staff,
        admin,
        users: people,
    }
}

/// Makes `who` an Admin of their company.
pub async fn promote(server: &TestServer, who: &Person) {
    use backend::entity::company_member;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    company_member::Entity::update_many()
        .col_expr(
            company_member::Column::Role,
            sea_orm::sea_query::Expr::value("admin"),
        )
        .filter(company_member::Column::AccountId.eq(id_of(who).0))
        .exec(&server.database().await)
        .await
        .unwrap();
}

/// `who`'s membership row in their company.
pub async fn member_id(server: &TestServer, who: &Person) -> uuid::Uuid {
    use backend::entity::company_member;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    company_member::Entity::find()
        .filter(company_member::Column::AccountId.eq(id_of(who).0))
        .one(&server.database().await)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// `admin` removes `who` from the company (converted to a personal account).
pub async fn leave_company(server: &TestServer, acme: &Acme, who: &Person) {
    let member = member_id(server, who).await;
    let removed: Reply<serde_json::Value> = server
        .post(
            &format!("/api/companies/{}/members/{member}/remove", acme.company),
            &RemoveMemberRequest {
                mode: RemoveMode::ConvertToPersonal,
            },
            Some(&acme.admin.session),
        )
        .await;
    assert!(removed.status.is_success(), "{:?}", removed.body);
}

/// `key` (the company's directory key or signing key, as `purpose` says) of `company`,
/// wrapped by `from` to `to`.
pub fn wrap_company_secret<K: wasm_crypto::KeyMaterial>(
    (purpose, company): (Purpose, CompanyId),
    key: &K,
    from: &Person,
    to: &Person,
) -> KeyWrapping {
    let binding = wasm_crypto::HpkeBinding {
        purpose,
        object_id: company.0,
        sender_id: id_of(from).0,
        recipient_id: id_of(to).0,
    };
    let (wrapped, signature) = wasm_crypto::wrap_to_public_key(
        &to.user.encryption.public_key(),
        &binding,
        key,
        &from.user.signing,
    )
    .unwrap();
    KeyWrapping {
        recipient: id_of(to).0,
        recipient_kind: EntryKind::Account,
        recipient_generation: 0,
        generation: 0,
        sender: id_of(from),
        wrapped: shared_types::Base64Bytes(wrapped.into_bytes()),
        signature: shared_types::Base64Bytes(signature.into_bytes()),
    }
}
