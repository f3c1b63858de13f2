//! Exporting a profile: as a password-protected file that imports back whole (every field,
//! folder, tag and star), or as a plain CSV in the columns the importer reads.
//!
//! Both are made in the browser from the opened items; nothing is sent. Items in the trash and
//! past versions are left out. The file's format (JSON):
//!
//! ```text
//! { "format": "strongroom-export", "version": 1, "id": "<uuid>", "created_at": <ms>,
//!   "envelope": "<base64: the file key in a password envelope>",
//!   "content": "<base64: the items, sealed under the file key>" }
//! ```
//!
//! See `wasm_crypto::seal_export` for the cryptography.

use serde::{Deserialize, Serialize};
use shared_types::account::ProfileKind;
use shared_types::{Base64Bytes, ContainerId, FolderId};
use uuid::Uuid;
use wasm_crypto::{MasterPassword, PasswordEnvelope, SealedData};
use zeroize::Zeroizing;

use super::import::{ImportError, Imported};
use super::model::{CustomKind, ItemData};
use super::seal::SealError;
use super::store::item_key;
use super::{Result, VaultError, VaultSession};
use crate::cache::Cache;

/// What the `format` field of an export file says.
pub const FILE_FORMAT: &str = "strongroom-export";

/// The columns of a CSV export, in order; the importer reads them all.
pub const CSV_COLUMNS: [&str; 11] = [
    "title", "type", "url", "username", "password", "totp", "notes", "folder", "tags", "favorite",
    "fields",
];

/// An item as exported: its content and its folder's path.
#[derive(Serialize, Deserialize)]
pub struct ExportedItem {
    /// The folder path, outermost first (empty: the top of the profile).
    pub folder: Vec<String>,
    /// Its content.
    pub item: ItemData,
}

/// What an export file's sealed content holds.
#[derive(Serialize, Deserialize)]
struct Content {
    profile: ProfileKind,
    exported_at: i64,
    items: Vec<ExportedItem>,
}

/// An export file as written to disk.
#[derive(Serialize, Deserialize)]
struct ExportFile {
    format: String,
    version: u32,
    id: Uuid,
    created_at: i64,
    envelope: Base64Bytes,
    content: Base64Bytes,
}

impl<C: Cache> VaultSession<C> {
    /// Opens every item of `profile` that is not in the trash, with its folder's path.
    pub async fn export_items(&self, profile: ContainerId) -> Result<Vec<ExportedItem>> {
        let listed: Vec<_> = {
            let containers = self.inner.containers.borrow();
            let p = containers
                .iter()
                .find(|c| c.id == profile)
                .ok_or(VaultError::Missing)?;
            p.index
                .items
                .iter()
                .filter(|(_, s)| s.trashed_at.is_none())
                .map(|(id, s)| {
                    let folder = s.folder.map(|f| folder_path(&p.index, f));
                    (*id, folder.unwrap_or_default())
                })
                .collect()
        };
        let mut out = Vec::with_capacity(listed.len());
        for (id, folder) in listed {
            if self.stored(&item_key(id)).await?.is_none() {
                continue;
            }
            let (_, _, mut item) = self.load_item(id).await?;
            item.folder = None;
            out.push(ExportedItem { folder, item });
        }
        out.sort_by(|a, b| {
            (&a.folder, a.item.title.to_lowercase()).cmp(&(&b.folder, b.item.title.to_lowercase()))
        });
        Ok(out)
    }
}

fn folder_path(index: &super::index::ProfileIndex, folder: FolderId) -> Vec<String> {
    index
        .folder_names(folder)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Seals `items` of a `profile` into an export file protected by `password`; returns the file's
/// text.
pub fn seal_file(
    password: &MasterPassword,
    profile: ProfileKind,
    items: Vec<ExportedItem>,
    now_ms: i64,
) -> Result<String> {
    let content = Zeroizing::new(
        serde_json::to_vec(&Content {
            profile,
            exported_at: now_ms,
            items,
        })
        .map_err(|_| SealError::WrongKind)?,
    );
    let id = Uuid::now_v7();
    let (envelope, sealed) = wasm_crypto::seal_export(password, id, &content)
        .map_err(|e| VaultError::Invalid(e.to_string()))?;
    let file = ExportFile {
        format: FILE_FORMAT.to_owned(),
        version: 1,
        id,
        created_at: now_ms,
        envelope: envelope.into_bytes().into(),
        content: sealed.into_bytes().into(),
    };
    Ok(serde_json::to_string_pretty(&file).map_err(|_| SealError::WrongKind)?)
}

/// Whether `text` is a Strongroom export file (rather than CSV).
pub fn is_export_file(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('{') && text.contains(FILE_FORMAT)
}

/// Opens an export file with its password; returns the items it holds, ready to import.
pub fn open_file(text: &str, password: &MasterPassword) -> Result<Vec<Imported>, ImportError> {
    let text = text.trim_start_matches('\u{feff}');
    let file: ExportFile = serde_json::from_str(text).map_err(|_| ImportError::NotAnExport)?;
    if file.format != FILE_FORMAT {
        return Err(ImportError::NotAnExport);
    }
    if file.version != 1 {
        return Err(ImportError::NewerExport(file.version));
    }
    let envelope =
        PasswordEnvelope::from_bytes(file.envelope.0).map_err(|_| ImportError::Damaged)?;
    let sealed = SealedData::from_bytes(file.content.0).map_err(|_| ImportError::Damaged)?;
    let plain =
        wasm_crypto::open_export(password, file.id, &envelope, &sealed).map_err(|e| match e {
            wasm_crypto::Error::WrongPassword => ImportError::WrongPassword,
            _ => ImportError::Damaged,
        })?;
    let content: Content = serde_json::from_slice(&plain).map_err(|_| ImportError::Damaged)?;
    Ok(content
        .items
        .into_iter()
        .map(|ExportedItem { folder, mut item }| {
            item.folder = None;
            item.trashed_at = None;
            Imported { data: item, folder }
        })
        .collect())
}

/// Writes `items` as CSV with a header of [`CSV_COLUMNS`]. Fields of the kind beyond username,
/// password and one-time code, and custom fields, go to the `fields` column, one `name: value`
/// per line (a backslash and a line break in a value written `\\` and `\n`).
pub fn to_csv(items: &[ExportedItem]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    push_row(&mut out, CSV_COLUMNS.iter().copied());
    for ExportedItem { folder, item } in items {
        let mut extra = Vec::new();
        for spec in item.kind.fields() {
            let value = item.field(spec.key);
            if !value.is_empty() && !matches!(spec.key, "username" | "password" | "totp") {
                extra.push(field_line(spec.key, value));
            }
        }
        for custom in &item.custom {
            extra.push(field_line(&custom.label, &custom.value));
        }
        let extra = Zeroizing::new(extra.join("\n"));
        let urls = item.urls.join("\n");
        let tags = item.tags.join(", ");
        let folder = folder.join("/");
        push_row(
            &mut out,
            [
                item.title.as_str(),
                item.kind.slug(),
                &urls,
                item.field("username"),
                item.field("password"),
                item.field("totp"),
                &item.notes,
                &folder,
                &tags,
                if item.favourite { "1" } else { "" },
                &extra,
            ],
        );
    }
    out
}

fn field_line(name: &str, value: &str) -> String {
    let escape = |s: &str| s.replace('\\', "\\\\").replace('\n', "\\n");
    format!("{}: {}", escape(name).replace(':', "\\:"), escape(value))
}

/// Reads one line of a `fields` column: the name and the value, unescaped.
pub(super) fn read_field_line(line: &str) -> Option<(String, String)> {
    let mut name = String::new();
    let mut chars = line.chars();
    let mut found = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => name.push('\n'),
                Some(other) => name.push(other),
                None => {}
            },
            ':' => {
                found = true;
                break;
            }
            c => name.push(c),
        }
    }
    if !found {
        return None;
    }
    let rest: String = chars.collect();
    let rest = rest.strip_prefix(' ').unwrap_or(&rest);
    let mut value = String::with_capacity(rest.len());
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => value.push('\n'),
                Some(other) => value.push(other),
                None => value.push('\\'),
            },
            (c, false) => value.push(c),
        }
    }
    Some((name.trim().to_owned(), value))
}

/// The kind a custom field read back from CSV gets.
pub(super) const CSV_CUSTOM_KIND: CustomKind = CustomKind::Hidden;

fn push_row<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ')
        {
            out.push('"');
            for c in field.chars() {
                if c == '"' {
                    out.push('"');
                }
                out.push(c);
            }
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::services::vault::import::items_from_csv;
    use crate::services::vault::model::{CustomField, ItemKind};

    fn sample() -> Vec<ExportedItem> {
        let mut login = ItemData::new(ItemKind::Login, 10);
        login.title = "Acme, \"VPN\"".into();
        login.urls = vec![
            "https://vpn.acme.example".into(),
            "https://b.example".into(),
        ];
        login.set_field("username", "alice".into());
        login.set_field("password", " spaced, \"quoted\" ".into());
        login.set_field("totp", "JBSWY3DPEHPK3PXP".into());
        login.notes = "two\nlines".into();
        login.tags = vec!["vpn".into(), "acme".into()];
        login.favourite = true;
        login.custom.push(CustomField {
            label: "PIN: door".into(),
            kind: CustomKind::Hidden,
            value: "12\\34\n56".into(),
        });
        let mut server = ItemData::new(ItemKind::Server, 10);
        server.title = "Router".into();
        server.set_field("host", "10.0.0.1".into());
        server.set_field("port", "22".into());
        server.set_field("password", "pw".into());
        server.set_field(
            "private_key",
            "-----BEGIN KEY-----\nabc\n-----END KEY-----".into(),
        );
        let mut card = ItemData::new(ItemKind::CreditCard, 10);
        card.title = "Card".into();
        card.set_field("number", "4111111111111111".into());
        card.set_field("expiry", "12/29".into());
        vec![
            ExportedItem {
                folder: vec!["Clients".into(), "Acme".into()],
                item: login,
            },
            ExportedItem {
                folder: Vec::new(),
                item: server,
            },
            ExportedItem {
                folder: vec!["Cards".into()],
                item: card,
            },
        ]
    }

    #[test]
    fn a_csv_export_imports_back_with_its_fields_folders_and_tags() {
        let csv = to_csv(&sample());
        assert!(csv.starts_with(
            "title,type,url,username,password,totp,notes,folder,tags,favorite,fields\r\n"
        ));
        let back = items_from_csv(&csv, 20).unwrap();
        assert_eq!(back.len(), 3);
        for (before, after) in sample().iter().zip(&back) {
            assert_eq!(after.folder, before.folder);
            let (a, b) = (&after.data, &before.item);
            assert_eq!(a.kind, b.kind);
            assert_eq!(a.title, b.title);
            assert_eq!(a.urls, b.urls);
            assert_eq!(a.fields, b.fields, "{}", b.title);
            assert_eq!(a.notes, b.notes);
            assert_eq!(a.tags, b.tags);
            assert_eq!(a.favourite, b.favourite);
            let custom: Vec<_> = a.custom.iter().map(|c| (&c.label, &c.value)).collect();
            let expected: Vec<_> = b.custom.iter().map(|c| (&c.label, &c.value)).collect();
            assert_eq!(custom, expected);
        }
    }

    #[test]
    fn field_lines_survive_colons_backslashes_and_line_breaks() {
        let line = field_line("a:b\\c", "x: y\nz\\");
        assert!(!line.contains('\n'));
        assert_eq!(
            read_field_line(&line),
            Some(("a:b\\c".to_owned(), "x: y\nz\\".to_owned()))
        );
        assert_eq!(read_field_line("no separator"), None);
        // Bitwarden's custom fields read as they are.
        assert_eq!(
            read_field_line("Door code: 4711"),
            Some(("Door code".to_owned(), "4711".to_owned()))
        );
    }

    #[test]
    fn an_encrypted_export_opens_with_its_password_only_and_refuses_changes() {
        let password = MasterPassword::new("export password 1".into());
        let file = seal_file(&password, ProfileKind::Business, sample(), 30).unwrap();
        assert!(is_export_file(&file));
        assert!(!file.contains("alice") && !file.contains("Acme"));
        let back = open_file(&file, &password).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[0].folder, vec!["Clients", "Acme"]);
        assert!(back[0].data == sample()[0].item);
        let wrong = MasterPassword::new("export password 2".into());
        assert_eq!(
            open_file(&file, &wrong).err(),
            Some(ImportError::WrongPassword)
        );
        let mut parsed: serde_json::Value = serde_json::from_str(&file).unwrap();
        parsed["id"] = serde_json::json!(Uuid::now_v7());
        assert!(open_file(&parsed.to_string(), &password).is_err());
        let mut parsed: serde_json::Value = serde_json::from_str(&file).unwrap();
        parsed["version"] = serde_json::json!(2);
        assert_eq!(
            open_file(&parsed.to_string(), &password).err(),
            Some(ImportError::NewerExport(2))
        );
        assert_eq!(
            open_file("{\"format\":\"other\"}", &password).err(),
            Some(ImportError::NotAnExport)
        );
        assert!(!is_export_file("title,url\nx,y"));
    }
}
