//! Trust records (see `services::sharing::trust`): kept in the Personal profile, listed in its
//! index, written like folders (sealed under the Personal key, sent through the outbox).

use shared_types::account::ProfileKind;
use shared_types::vault::RecordKind;
use shared_types::{AccountId, ContainerId, RecordId};
use wasm_crypto::{Purpose, derive_record_id};

use super::index::TrustEntry;
use super::store::{Batch, Place, local_record, trust_key};
use super::{Result, VaultError, VaultSession, seal};
use crate::cache::Cache;
use crate::services::sharing::trust::{CompanyPin, ContactPin, TrustData};

impl<C: Cache> VaultSession<C> {
    fn personal(&self) -> Result<ContainerId> {
        self.profiles()
            .into_iter()
            .find(|(_, kind)| *kind == ProfileKind::Personal)
            .map(|(id, _)| id)
            .ok_or(VaultError::Missing)
    }

    /// Every contact pinned here (readable trust records of the contact kind).
    pub fn contacts(&self) -> Vec<ContactPin> {
        let Ok(personal) = self.personal() else {
            return Vec::new();
        };
        let profiles = self.inner.containers.borrow();
        profiles
            .iter()
            .filter(|p| p.id == personal)
            .flat_map(|p| p.index.trust.values())
            .filter_map(|entry| entry.data.as_ref().and_then(TrustData::contact))
            .cloned()
            .collect()
    }

    /// The contact pinned for `account`, if any.
    pub fn contact(&self, account: AccountId) -> Option<ContactPin> {
        self.contacts()
            .into_iter()
            .find(|pin| pin.account_id == account)
    }

    /// The signing key pinned for `company`, if any.
    pub fn company_pin(&self, company: shared_types::CompanyId) -> Option<CompanyPin> {
        let personal = self.personal().ok()?;
        let profiles = self.inner.containers.borrow();
        profiles
            .iter()
            .filter(|p| p.id == personal)
            .flat_map(|p| p.index.trust.values())
            .filter_map(|entry| entry.data.as_ref().and_then(TrustData::company))
            .find(|pin| pin.company == company)
            .cloned()
    }

    /// Pins (or pins again) a company's signing key.
    pub async fn pin_company(&self, pin: CompanyPin, now_ms: i64) -> Result<()> {
        let subject = CompanyPin::subject(pin.company);
        self.put_trust(&subject, TrustData::Company(pin), now_ms)
            .await
    }

    /// Pins (or pins again) a contact's keys.
    pub async fn pin_contact(&self, pin: ContactPin, now_ms: i64) -> Result<()> {
        let subject = ContactPin::subject(pin.account_id);
        self.put_trust(&subject, TrustData::Contact(pin), now_ms)
            .await
    }

    /// Writes the trust record for `subject`, at the version after the one held here.
    async fn put_trust(&self, subject: &[u8], data: TrustData, now_ms: i64) -> Result<()> {
        let personal = self.personal()?;
        let key = self.key_of(personal)?;
        let id = RecordId(derive_record_id(&key, Purpose::TrustRecord, subject));
        let (version, base) = match self.stored(&trust_key(id)).await? {
            Some(held) => (
                held.version + 1,
                self.pending_base(id, held.revision).await?,
            ),
            None => (1, None),
        };
        let sealed = seal::seal_trust(&key, personal, id, &data, version)?;
        let place = Place {
            id,
            kind: RecordKind::Trust,
            container_id: personal,
            parent_id: None,
        };
        let record = local_record(place, None, sealed, version, now_ms);
        let mut batch = Batch::new();
        batch.record(&record, base)?;
        let entry = TrustEntry {
            data: Some(data),
            version,
        };
        self.update_index(&mut batch.writes, |profiles| {
            for p in profiles.iter_mut().filter(|p| p.id == personal) {
                p.index.trust.insert(id, entry.clone());
            }
            vec![personal]
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(())
    }
}
