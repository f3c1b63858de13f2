//! Importing items from a CSV file, as exported by Strongroom or other password managers: the
//! header names the columns (case-insensitive; Bitwarden's `login_uri`, `login_username`,
//! `login_password`, `login_totp`, `name`, `favorite` are understood too). A `folder` column
//! holds a path (`Clients/Acme`), created as nested folders.
//!
//! The file never leaves the browser: each item is sealed here like any other.
//! [`items_from_csv`] reads the file; [`VaultSession::import_items`] stores what it read.

use std::collections::BTreeMap;

use shared_types::vault::RecordKind;
use shared_types::{ContainerId, FolderId, RecordId};

use super::export::{CSV_CUSTOM_KIND, read_field_line};
use super::index::{FolderEntry, ItemSummary};
use super::model::{CustomField, FolderData, ItemData, ItemKind};
use super::store::{Batch, Place, local_record};
use super::{Result, VaultSession, seal};
use crate::cache::Cache;

/// Why a file could not be imported; nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The text is not CSV as expected.
    #[error("Line {line}: {problem}. Nothing was imported; fix the file and try again.")]
    Malformed {
        /// The line (1-based).
        line: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// No column gives a title.
    #[error(
        "The file has no title column (\"title\" or \"name\"). Nothing was imported; the first line must name the columns."
    )]
    NoTitle,
    /// The file looks like a Strongroom export but is not one.
    #[error("This file is not a Strongroom export file. Nothing was imported.")]
    NotAnExport,
    /// An export file from a newer Strongroom.
    #[error(
        "This export file has format version {0}, newer than this app reads. Nothing was imported; import it with a newer Strongroom."
    )]
    NewerExport(u32),
    /// The export file's password is wrong.
    #[error("That is not this export file's password. Nothing was imported; try again.")]
    WrongPassword,
    /// The export file is damaged or was altered.
    #[error(
        "This export file is damaged or was altered, so it cannot be opened. Nothing was imported."
    )]
    Damaged,
}

/// An item read from the file, and where it goes.
pub struct Imported {
    /// Its content.
    pub data: ItemData,
    /// The folder path, outermost first (empty: the top of the profile).
    pub folder: Vec<String>,
}

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into rows.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, ImportError> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut line = 1;
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '"' => {
                return Err(ImportError::Malformed {
                    line,
                    problem: "a quote inside an unquoted field",
                });
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                if !(row.len() == 1 && row[0].is_empty()) {
                    rows.push(std::mem::take(&mut row));
                }
                row.clear();
                line += 1;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(ImportError::Malformed {
            line,
            problem: "a quoted field is never closed",
        });
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

fn kind_of(value: &str) -> ItemKind {
    let v = value.trim().to_ascii_lowercase();
    ItemKind::from_slug(&v)
        .or_else(|| {
            ItemKind::ALL
                .into_iter()
                .find(|k| k.label().eq_ignore_ascii_case(&v))
        })
        .unwrap_or(match v.as_str() {
            "note" | "securenote" | "2" => ItemKind::SecureNote,
            "card" | "3" => ItemKind::CreditCard,
            "4" => ItemKind::Identity,
            _ => ItemKind::Login,
        })
}

/// Reads items from CSV text with a header line.
pub fn items_from_csv(text: &str, now_ms: i64) -> Result<Vec<Imported>, ImportError> {
    let mut rows = parse_csv(text)?.into_iter();
    let Some(header) = rows.next() else {
        return Ok(Vec::new());
    };
    let column = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let title = column(&["title", "name"]).ok_or(ImportError::NoTitle)?;
    let kind = column(&["type", "kind"]);
    let url = column(&["url", "urls", "uri", "login_uri", "website"]);
    let username = column(&["username", "login_username", "user", "login"]);
    let password = column(&["password", "login_password"]);
    let totp = column(&["totp", "login_totp", "otp"]);
    let notes = column(&["notes", "note", "extra"]);
    let folder = column(&["folder", "group", "grouping"]);
    let tags = column(&["tags", "tag"]);
    let favourite = column(&["favourite", "favorite", "fav"]);
    let extra = column(&["fields"]);
    let mut items = Vec::new();
    for (i, row) in rows.enumerate() {
        let raw = |c: Option<usize>| c.and_then(|c| row.get(c)).map_or("", String::as_str);
        let get = |c: Option<usize>| raw(c).trim();
        if row.len() > header.len() {
            return Err(ImportError::Malformed {
                line: i + 2,
                problem: "more fields than the header names",
            });
        }
        let mut data = ItemData::new(
            kind.map_or(ItemKind::Login, |k| kind_of(get(Some(k)))),
            now_ms,
        );
        data.title = get(Some(title)).to_owned();
        if data.title.is_empty() {
            data.title = "Untitled".to_owned();
        }
        if data.kind.has_urls() {
            data.urls = get(url)
                .split(['\n', ' '])
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect();
        }
        for (key, column) in [
            ("username", username),
            ("password", password),
            ("totp", totp),
        ] {
            if data.kind.fields().iter().any(|f| f.key == key) {
                // A password keeps its spaces.
                let value = match key {
                    "password" => raw(column),
                    _ => get(column),
                };
                data.set_field(key, value.to_owned());
            }
        }
        for (name, value) in get(extra).lines().filter_map(read_field_line) {
            let spec =
                data.kind.fields().iter().find(|f| {
                    f.key.eq_ignore_ascii_case(&name) || f.label.eq_ignore_ascii_case(&name)
                });
            match spec {
                Some(spec) if data.field(spec.key).is_empty() => data.set_field(spec.key, value),
                _ => data.custom.push(CustomField {
                    label: name,
                    kind: CSV_CUSTOM_KIND,
                    value,
                }),
            }
        }
        data.notes = raw(notes).to_owned();
        data.tags = get(tags)
            .split([',', ';'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        data.favourite = matches!(get(favourite), "1" | "true" | "yes" | "TRUE" | "Yes");
        let path = get(folder)
            .split(['/', '\\'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        items.push(Imported { data, folder: path });
    }
    Ok(items)
}

impl<C: Cache> VaultSession<C> {
    /// Imports items into `profile` (or a shared folder), creating the folders their paths name
    /// (reusing folders with the same path). Items are sealed and written in batches and the index once at the end, so
    /// 10,000 items take seconds, not minutes. Returns how many were imported.
    pub async fn import_items(
        &self,
        profile: ContainerId,
        items: Vec<Imported>,
        now_ms: i64,
    ) -> Result<usize> {
        const BATCH: usize = 500;
        self.may_change(profile)?;
        let profile_key = &*self.key_of(profile)?;
        // Existing folders by path, so a second import lands in the same ones.
        let mut folders: BTreeMap<Vec<String>, FolderId> = BTreeMap::new();
        for node in self
            .folders()
            .into_iter()
            .filter(|f| f.container == profile)
        {
            let path = node.path.split(" / ").map(str::to_owned).collect();
            folders.insert(path, node.id);
        }
        let mut batch = Batch::new();
        let mut new_folders = Vec::new();
        let mut summaries = Vec::new();
        let count = items.len();
        for imported in items {
            let mut parent = None;
            for depth in 1..=imported.folder.len() {
                let path = imported.folder[..depth].to_vec();
                let id = match folders.get(&path) {
                    Some(id) => *id,
                    None => {
                        let id = RecordId::new_v7();
                        let folder = FolderData {
                            name: path[depth - 1].clone(),
                            parent,
                        };
                        let data = seal::seal_folder(profile_key, profile, id, &folder, 1)?;
                        let place = Place {
                            id,
                            kind: RecordKind::Folder,
                            container_id: profile,
                            parent_id: None,
                        };
                        batch.record(&local_record(place, None, data, 1, now_ms), None)?;
                        new_folders.push((id, FolderEntry::of(&folder, 1)));
                        folders.insert(path, FolderId(id.0));
                        FolderId(id.0)
                    }
                };
                parent = Some(id);
            }
            let mut data = imported.data;
            data.folder = parent;
            let id = RecordId::new_v7();
            let sealed = seal::seal_item(
                profile_key,
                profile,
                id,
                &wasm_crypto::make_symmetric_key(),
                &data,
                1,
            )?;
            let place = Place {
                id,
                kind: RecordKind::Item,
                container_id: profile,
                parent_id: None,
            };
            let record = local_record(place, sealed.key, sealed.data, 1, now_ms);
            batch.record(&record, None)?;
            summaries.push((id, ItemSummary::of(&data, 1)));
            if batch.writes.len() >= 2 * BATCH {
                self.inner
                    .cache
                    .write(std::mem::take(&mut batch.writes))
                    .await?;
            }
        }
        self.update_index(&mut batch.writes, |profiles| {
            if let Some(p) = profiles.iter_mut().find(|p| p.id == profile) {
                p.index.folders.extend(new_folders);
                p.index.items.extend(summaries);
            }
            vec![profile]
        })?;
        self.inner.cache.write(batch.writes).await?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_quoted_fields_doubled_quotes_and_line_breaks() {
        let rows =
            parse_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\n1,,3").unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["a", "b", "c"],
                vec!["x, y", "say \"hi\"", "two\nlines"],
                vec!["1", "", "3"],
            ]
        );
        assert!(matches!(
            parse_csv("a\n\"open"),
            Err(ImportError::Malformed { line: 2, .. })
        ));
        assert!(matches!(
            parse_csv("a\nb\"c"),
            Err(ImportError::Malformed { line: 2, .. })
        ));
    }

    #[test]
    fn understands_a_bitwarden_export() {
        let csv = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
                   Clients/Acme,1,login,Acme VPN,note,,0,https://vpn.acme.example,alice,pw,JBSWY3DPEHPK3PXP\n\
                   ,,note,Door,4711,,0,,,,\n";
        let items = items_from_csv(csv, 5).unwrap();
        assert_eq!(items.len(), 2);
        let vpn = &items[0];
        assert_eq!(vpn.data.title, "Acme VPN");
        assert_eq!(vpn.data.urls, vec!["https://vpn.acme.example"]);
        assert_eq!(vpn.data.field("username"), "alice");
        assert_eq!(vpn.data.field("password"), "pw");
        assert_eq!(vpn.data.field("totp"), "JBSWY3DPEHPK3PXP");
        assert!(vpn.data.favourite);
        assert_eq!(vpn.folder, vec!["Clients", "Acme"]);
        assert_eq!(items[1].data.kind, ItemKind::SecureNote);
        assert_eq!(items[1].data.notes, "4711");
        assert!(items[1].folder.is_empty());
    }

    #[test]
    fn refuses_a_file_without_titles_or_with_extra_fields() {
        assert_eq!(
            items_from_csv("url,password\nx,y\n", 1).err(),
            Some(ImportError::NoTitle)
        );
        assert!(matches!(
            items_from_csv("title\nA,B\n", 1),
            Err(ImportError::Malformed { line: 2, .. })
        ));
    }
}
