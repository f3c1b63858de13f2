//! What a vault holds once opened: items of nine kinds, folders and past versions. These are
//! plaintext types: they exist only in the unlocked browser's memory, are sealed whole before
//! they reach IndexedDB or the server, print nothing secret and are wiped when dropped.
//!
//! Each kind of item is described by a list of [`FieldSpec`]s, so one form and one detail view
//! serve every kind and a new field is one line here. Field values are kept by key; keys never
//! change once shipped (old records must still open).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared_types::FolderId;
use zeroize::Zeroize;

/// The kinds of item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A website sign-in.
    Login,
    /// A server or device (SSH, RDP, HTTPS...).
    Server,
    /// Free text.
    SecureNote,
    /// A mailbox with its servers.
    Email,
    /// A payment card.
    CreditCard,
    /// A person's details.
    Identity,
    /// A software licence.
    Licence,
    /// A wireless network.
    Wifi,
    /// Database credentials.
    Database,
}

/// How a field is typed, shown and copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldInput {
    /// One line of text.
    Text,
    /// A secret: hidden until revealed, copyable, offered the generator.
    Secret,
    /// A secret of several lines (a private key).
    SecretBlock,
    /// A whole number (a port).
    Number,
    /// An email address.
    Email,
    /// One of a few values.
    Choice(&'static [&'static str]),
    /// An authenticator seed (base32 or `otpauth://` URL); the view shows the live code.
    Totp,
}

impl FieldInput {
    /// Whether the value is hidden until revealed.
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            FieldInput::Secret | FieldInput::SecretBlock | FieldInput::Totp
        )
    }
}

/// One standard field of a kind of item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Stable key in the sealed record.
    pub key: &'static str,
    /// What the form and the view call it.
    pub label: &'static str,
    /// How it is typed and shown.
    pub input: FieldInput,
}

const fn field(key: &'static str, label: &'static str, input: FieldInput) -> FieldSpec {
    FieldSpec { key, label, input }
}

use FieldInput::{Choice, Email, Number, Secret, SecretBlock, Text, Totp};

const LOGIN: &[FieldSpec] = &[
    field("username", "Username", Text),
    field("password", "Password", Secret),
    field("totp", "Authenticator key (TOTP)", Totp),
];
const SERVER: &[FieldSpec] = &[
    field("host", "Host", Text),
    field("port", "Port", Number),
    field(
        "protocol",
        "Protocol",
        Choice(&[
            "SSH", "RDP", "HTTPS", "HTTP", "SFTP", "FTP", "VNC", "Telnet", "Other",
        ]),
    ),
    field("username", "Username", Text),
    field("password", "Password", Secret),
    field("private_key", "Private key", SecretBlock),
];
const EMAIL: &[FieldSpec] = &[
    field("address", "Email address", Email),
    field("username", "Username", Text),
    field("password", "Password", Secret),
    field("incoming_server", "Incoming server", Text),
    field("incoming_port", "Incoming port", Number),
    field(
        "incoming_protocol",
        "Incoming protocol",
        Choice(&["IMAP", "POP3", "Exchange"]),
    ),
    field("outgoing_server", "Outgoing server (SMTP)", Text),
    field("outgoing_port", "Outgoing port", Number),
];
const CREDIT_CARD: &[FieldSpec] = &[
    field("cardholder", "Cardholder name", Text),
    field("number", "Card number", Secret),
    field(
        "brand",
        "Brand",
        Choice(&["Visa", "Mastercard", "American Express", "Other"]),
    ),
    field("expiry", "Expiry (MM/YY)", Text),
    field("security_code", "Security code", Secret),
    field("pin", "PIN", Secret),
];
const IDENTITY: &[FieldSpec] = &[
    field("first_name", "First name", Text),
    field("last_name", "Last name", Text),
    field("email", "Email", Email),
    field("phone", "Phone", Text),
    field("company", "Company", Text),
    field("address", "Address", Text),
    field("city", "City", Text),
    field("postcode", "Postcode", Text),
    field("country", "Country", Text),
    field("national_id", "National ID", Secret),
];
const LICENCE: &[FieldSpec] = &[
    field("product", "Product", Text),
    field("version", "Version", Text),
    field("licence_key", "Licence key", Secret),
    field("licensed_to", "Licensed to", Text),
    field("email", "Registered email", Email),
    field("order_number", "Order number", Text),
    field("purchase_date", "Purchase date", Text),
];
const WIFI: &[FieldSpec] = &[
    field("ssid", "Network name (SSID)", Text),
    field("password", "Password", Secret),
    field(
        "security",
        "Security",
        Choice(&["WPA3", "WPA2", "WPA", "WEP", "None"]),
    ),
];
const DATABASE: &[FieldSpec] = &[
    field(
        "engine",
        "Type",
        Choice(&[
            "PostgreSQL",
            "MySQL",
            "MariaDB",
            "SQL Server",
            "Oracle",
            "MongoDB",
            "Redis",
            "Other",
        ]),
    ),
    field("host", "Host", Text),
    field("port", "Port", Number),
    field("database", "Database", Text),
    field("username", "Username", Text),
    field("password", "Password", Secret),
];

impl ItemKind {
    /// Every kind, in the order the "New item" menu offers them.
    pub const ALL: [ItemKind; 9] = [
        ItemKind::Login,
        ItemKind::Server,
        ItemKind::SecureNote,
        ItemKind::Email,
        ItemKind::CreditCard,
        ItemKind::Identity,
        ItemKind::Licence,
        ItemKind::Wifi,
        ItemKind::Database,
    ];

    /// The kind's name for people.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Login => "Website login",
            ItemKind::Server => "Server",
            ItemKind::SecureNote => "Secure note",
            ItemKind::Email => "Email account",
            ItemKind::CreditCard => "Credit card",
            ItemKind::Identity => "Identity",
            ItemKind::Licence => "Software licence",
            ItemKind::Wifi => "Wi-Fi",
            ItemKind::Database => "Database",
        }
    }

    /// A stable short name (for form values and test ids).
    pub fn slug(self) -> &'static str {
        match self {
            ItemKind::Login => "login",
            ItemKind::Server => "server",
            ItemKind::SecureNote => "secure_note",
            ItemKind::Email => "email",
            ItemKind::CreditCard => "credit_card",
            ItemKind::Identity => "identity",
            ItemKind::Licence => "licence",
            ItemKind::Wifi => "wifi",
            ItemKind::Database => "database",
        }
    }

    /// The kind with this [`ItemKind::slug`].
    pub fn from_slug(slug: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Its standard fields, in form order (title, URLs, notes, tags and custom fields are common
    /// to all kinds and not listed).
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            ItemKind::Login => LOGIN,
            ItemKind::Server => SERVER,
            ItemKind::SecureNote => &[],
            ItemKind::Email => EMAIL,
            ItemKind::CreditCard => CREDIT_CARD,
            ItemKind::Identity => IDENTITY,
            ItemKind::Licence => LICENCE,
            ItemKind::Wifi => WIFI,
            ItemKind::Database => DATABASE,
        }
    }

    /// Whether the kind has web addresses.
    pub fn has_urls(self) -> bool {
        self == ItemKind::Login
    }

    /// The field the list shows under the title and "copy username" copies.
    pub fn subtitle_key(self) -> Option<&'static str> {
        match self {
            ItemKind::Login | ItemKind::Database => Some("username"),
            ItemKind::Server => Some("host"),
            ItemKind::Email => Some("address"),
            ItemKind::CreditCard => Some("cardholder"),
            ItemKind::Identity => Some("last_name"),
            ItemKind::Licence => Some("product"),
            ItemKind::Wifi => Some("ssid"),
            ItemKind::SecureNote => None,
        }
    }

    /// The secret the "copy password" shortcut copies.
    pub fn main_secret_key(self) -> Option<&'static str> {
        match self {
            ItemKind::CreditCard => Some("number"),
            ItemKind::Licence => Some("licence_key"),
            ItemKind::Identity | ItemKind::SecureNote => None,
            _ => Some("password"),
        }
    }
}

/// How a custom field is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomKind {
    /// Plain text.
    Text,
    /// Hidden until revealed, like a password.
    Hidden,
    /// Yes or no (`"true"` / `"false"`).
    Boolean,
}

/// A field the person added to an item.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    /// Its name.
    pub label: String,
    /// How it is shown.
    pub kind: CustomKind,
    /// Its value.
    pub value: String,
}

/// An item's whole content: everything here is sealed together under the item's key.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemData {
    /// What kind of item.
    pub kind: ItemKind,
    /// Its name.
    pub title: String,
    /// The folder it is in (`None`: the top of its profile).
    #[serde(default)]
    pub folder: Option<FolderId>,
    /// Web addresses (website logins).
    #[serde(default)]
    pub urls: Vec<String>,
    /// The kind's standard fields, by [`FieldSpec::key`]; empty ones are left out.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Free notes.
    #[serde(default)]
    pub notes: String,
    /// Fields the person added.
    #[serde(default)]
    pub custom: Vec<CustomField>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Shown first and marked with a star.
    #[serde(default)]
    pub favourite: bool,
    /// When it was moved to the trash (ms since the epoch); `None` when not in the trash.
    #[serde(default)]
    pub trashed_at: Option<i64>,
    /// When it was created (ms since the epoch).
    pub created_at: i64,
    /// When its content last changed (ms since the epoch).
    pub modified_at: i64,
}

impl ItemData {
    /// A new empty item of `kind`.
    pub fn new(kind: ItemKind, now_ms: i64) -> Self {
        Self {
            kind,
            title: String::new(),
            folder: None,
            urls: Vec::new(),
            fields: BTreeMap::new(),
            notes: String::new(),
            custom: Vec::new(),
            tags: Vec::new(),
            favourite: false,
            trashed_at: None,
            created_at: now_ms,
            modified_at: now_ms,
        }
    }

    /// A standard field's value ("" when empty).
    pub fn field(&self, key: &str) -> &str {
        self.fields.get(key).map(String::as_str).unwrap_or("")
    }

    /// Sets a standard field (an empty value removes it).
    pub fn set_field(&mut self, key: &str, value: String) {
        if value.is_empty() {
            self.fields.remove(key);
        } else {
            self.fields.insert(key.to_owned(), value);
        }
    }

    /// The line the list shows under the title.
    pub fn subtitle(&self) -> String {
        match self.kind {
            ItemKind::Identity => {
                let name = format!("{} {}", self.field("first_name"), self.field("last_name"));
                name.trim().to_owned()
            }
            ItemKind::CreditCard => {
                let digits: String = self
                    .field("number")
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let last4 = &digits[digits.len().saturating_sub(4)..];
                match (self.field("brand"), last4) {
                    (_, "") => self.field("cardholder").to_owned(),
                    ("", last4) => format!("•••• {last4}"),
                    (brand, last4) => format!("{brand} •••• {last4}"),
                }
            }
            kind => kind
                .subtitle_key()
                .map(|k| self.field(k).to_owned())
                .unwrap_or_default(),
        }
    }

    /// Whether the item is in the trash.
    pub fn in_trash(&self) -> bool {
        self.trashed_at.is_some()
    }
}

impl core::fmt::Debug for ItemData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ItemData({:?}, ***)", self.kind)
    }
}

impl Drop for ItemData {
    fn drop(&mut self) {
        self.title.zeroize();
        self.urls.iter_mut().for_each(Zeroize::zeroize);
        self.fields.values_mut().for_each(Zeroize::zeroize);
        self.notes.zeroize();
        for c in &mut self.custom {
            c.label.zeroize();
            c.value.zeroize();
        }
        self.tags.iter_mut().for_each(Zeroize::zeroize);
    }
}

/// Why a past version was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HistoryReason {
    /// Replaced by an edit.
    Edit,
    /// Replaced by a restore of an older version.
    Restore,
    /// Another browser's change won at the same time; this one is kept here.
    Conflict,
}

/// A past version of an item, sealed under the item's key.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryData {
    /// The content as it was.
    pub item: ItemData,
    /// When it stopped being current (ms since the epoch).
    pub replaced_at: i64,
    /// Why it was kept.
    pub reason: HistoryReason,
}

impl core::fmt::Debug for HistoryData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HistoryData({:?}, ***)", self.reason)
    }
}

/// A folder's content, sealed under its profile's key.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderData {
    /// Its name.
    pub name: String,
    /// The folder it is in (`None`: the top of the profile).
    #[serde(default)]
    pub parent: Option<FolderId>,
}

impl core::fmt::Debug for FolderData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FolderData(***)")
    }
}

impl Drop for FolderData {
    fn drop(&mut self) {
        self.name.zeroize();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_kind_has_a_unique_slug_and_unique_field_keys() {
        let mut slugs = std::collections::BTreeSet::new();
        for kind in ItemKind::ALL {
            assert!(slugs.insert(kind.slug()));
            assert_eq!(ItemKind::from_slug(kind.slug()), Some(kind));
            let mut keys = std::collections::BTreeSet::new();
            for f in kind.fields() {
                assert!(keys.insert(f.key), "{kind:?} repeats {}", f.key);
            }
            if let Some(k) = kind.subtitle_key() {
                assert!(keys.contains(k), "{kind:?} subtitle {k}");
            }
            if let Some(k) = kind.main_secret_key() {
                assert!(keys.contains(k), "{kind:?} secret {k}");
            }
        }
    }

    #[test]
    fn an_item_prints_nothing_it_holds() {
        let mut item = ItemData::new(ItemKind::Login, 1);
        item.title = "canary-title".into();
        item.set_field("password", "canary-password".into());
        let printed = format!("{item:?}");
        assert!(!printed.contains("canary"), "{printed}");
    }

    #[test]
    fn a_card_shows_only_its_last_four_digits() {
        let mut card = ItemData::new(ItemKind::CreditCard, 1);
        card.set_field("number", "4111 1111 1111 1234".into());
        card.set_field("brand", "Visa".into());
        assert_eq!(card.subtitle(), "Visa •••• 1234");
        card.set_field("number", String::new());
        card.set_field("cardholder", "A. Person".into());
        assert_eq!(card.subtitle(), "A. Person");
    }

    #[test]
    fn old_records_without_optional_fields_still_open() {
        let json = r#"{"kind":"secure_note","title":"t","created_at":1,"modified_at":2}"#;
        let item: ItemData = serde_json::from_str(json).unwrap();
        assert_eq!(item.kind, ItemKind::SecureNote);
        assert!(item.tags.is_empty() && item.folder.is_none() && !item.favourite);
    }
}
