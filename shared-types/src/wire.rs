//! How a pull page is laid out on each wire. JSON keeps the shape of [`PullResponse`]: every
//! record names its container. The binary wire ([`crate::vault::BINARY_WIRE`]) groups the
//! records by container and names each container once per group: in a full pull of one
//! profile that spares 16 bytes a record, which, with the sealed bytes carried as they are, is
//! what makes the binary page smaller than the compressed JSON one without compressing it.
//! Records keep their order (by container, then by revision) on both wires.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::vault::{Checkpoint, ContainerAccess, Cursor, PullResponse, RecordKind, VaultRecord};
use crate::{Base64Bytes, ContainerId, RecordId};

/// The JSON layout, borrowed for writing.
#[derive(Serialize)]
struct JsonPageRef<'a> {
    access: &'a [ContainerAccess],
    access_head: i64,
    heads: &'a [Cursor],
    records: &'a [VaultRecord],
    more: bool,
    checkpoints: &'a [Checkpoint],
}

/// The JSON layout, owned for reading.
#[derive(Deserialize)]
struct JsonPage {
    access: Vec<ContainerAccess>,
    access_head: i64,
    heads: Vec<Cursor>,
    records: Vec<VaultRecord>,
    more: bool,
    #[serde(default)]
    checkpoints: Vec<Checkpoint>,
}

/// The binary layout.
#[derive(Serialize, Deserialize)]
struct BinaryPage {
    access: Vec<ContainerAccess>,
    access_head: i64,
    heads: Vec<Cursor>,
    groups: Vec<Group>,
    more: bool,
    checkpoints: Vec<Checkpoint>,
}

/// Consecutive records of one container.
#[derive(Serialize, Deserialize)]
struct Group {
    container_id: ContainerId,
    records: Vec<Row>,
}

/// A record without its container.
#[derive(Serialize, Deserialize)]
struct Row {
    id: RecordId,
    kind: RecordKind,
    parent_id: Option<RecordId>,
    revision: i64,
    key: Option<Base64Bytes>,
    data: Option<Base64Bytes>,
    version: i64,
    mark: Option<Base64Bytes>,
    updated_at: i64,
}

impl Serialize for PullResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return JsonPageRef {
                access: &self.access,
                access_head: self.access_head,
                heads: &self.heads,
                records: &self.records,
                more: self.more,
                checkpoints: &self.checkpoints,
            }
            .serialize(serializer);
        }
        let mut groups: Vec<Group> = Vec::new();
        for record in &self.records {
            let row = Row {
                id: record.id,
                kind: record.kind,
                parent_id: record.parent_id,
                revision: record.revision,
                key: record.key.clone(),
                data: record.data.clone(),
                version: record.version,
                mark: record.mark.clone(),
                updated_at: record.updated_at,
            };
            match groups.last_mut() {
                Some(group) if group.container_id == record.container_id => group.records.push(row),
                _ => groups.push(Group {
                    container_id: record.container_id,
                    records: vec![row],
                }),
            }
        }
        BinaryPage {
            access: self.access.clone(),
            access_head: self.access_head,
            heads: self.heads.clone(),
            groups,
            more: self.more,
            checkpoints: self.checkpoints.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PullResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let page = JsonPage::deserialize(deserializer)?;
            return Ok(Self {
                access: page.access,
                access_head: page.access_head,
                heads: page.heads,
                records: page.records,
                more: page.more,
                checkpoints: page.checkpoints,
            });
        }
        let page = BinaryPage::deserialize(deserializer)?;
        let records = page
            .groups
            .into_iter()
            .flat_map(|group| {
                let container_id = group.container_id;
                group.records.into_iter().map(move |row| VaultRecord {
                    id: row.id,
                    kind: row.kind,
                    container_id,
                    parent_id: row.parent_id,
                    revision: row.revision,
                    key: row.key,
                    data: row.data,
                    version: row.version,
                    mark: row.mark,
                    updated_at: row.updated_at,
                })
            })
            .collect();
        Ok(Self {
            access: page.access,
            access_head: page.access_head,
            heads: page.heads,
            records,
            more: page.more,
            checkpoints: page.checkpoints,
        })
    }
}
