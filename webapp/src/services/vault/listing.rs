//! What the vault shows, read from the opened indexes alone (no record is opened): the item
//! list for a scope and a search, the folder tree, the profiles and the shared folders.
//!
//! Invariants:
//! - Nothing here changes the vault; every answer is computed from the profiles' indexes.
//! - The lower-cased search text is built once and kept in the session until the next index
//!   change drops it (`update_index`, `rebuild_indexes`), so a search never sees stale text.
//! - The list is in a stable order: favourites first, then by title (ignoring case), then by id.
//! - A folder whose parent is gone shows at the top of the tree, and a cycle of parents cannot
//!   make the tree endless.

use std::collections::BTreeMap;
use std::rc::Rc;

use shared_types::account::ProfileKind;
use shared_types::sharing::ListRole;
use shared_types::{AccountId, ContainerId, FolderId, RecordId};

use super::VaultSession;
use super::index::ItemSummary;
use crate::cache::Cache;

/// What a container is to the person: one of their profiles, or a shared folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Area {
    /// One of the account's own profiles.
    Profile(ProfileKind),
    /// A share this account may open.
    Shared(SharedArea),
}

/// A share, as its recipient sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedArea {
    /// The share's name (the owner's; recipients cannot rename it).
    pub name: std::sync::Arc<str>,
    /// What this account may do in it.
    pub role: ListRole,
    /// Who owns it.
    pub owner: AccountId,
}

impl Area {
    /// How the area is called in lists and menus.
    pub fn label(&self) -> String {
        match self {
            Area::Profile(ProfileKind::Personal) => "Personal".to_owned(),
            Area::Profile(ProfileKind::Business) => "Business".to_owned(),
            Area::Shared(shared) => shared.name.to_string(),
        }
    }

    /// Whether this account may change what is in it (a viewer of a share may not).
    pub fn can_edit(&self) -> bool {
        match self {
            Area::Profile(_) => true,
            Area::Shared(shared) => shared.role != ListRole::View,
        }
    }
}

/// A row of the item list.
#[derive(Clone, PartialEq)]
pub struct Row {
    /// The item.
    pub id: RecordId,
    /// Its container.
    pub container: ContainerId,
    /// What that container is.
    pub area: Area,
    /// What the list shows.
    pub summary: ItemSummary,
    /// The folder path ("" at the top).
    pub folder_path: String,
}

/// A folder in the sidebar tree, in display order.
#[derive(Clone, PartialEq)]
pub struct FolderNode {
    /// The folder.
    pub id: FolderId,
    /// Its container.
    pub container: ContainerId,
    /// Its name.
    pub name: String,
    /// Its parent.
    pub parent: Option<FolderId>,
    /// How deep it is (0 at the top).
    pub depth: usize,
    /// Its full path.
    pub path: String,
}

/// Which items the list shows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every item not in the trash, in both profiles and every shared folder.
    #[default]
    All,
    /// Starred items.
    Favourites,
    /// One profile, or one shared folder.
    Container(ContainerId),
    /// One folder and the folders inside it.
    Folder(ContainerId, FolderId),
    /// The trash.
    Trash,
}

/// What search and sorting compare for an item, lower-cased once.
pub(super) struct SearchText {
    /// The title, for sorting.
    sort: String,
    /// Title, subtitle, folder path, URLs and tags.
    haystack: String,
}

impl<C: Cache> VaultSession<C> {
    /// The profiles, Personal first.
    pub fn profiles(&self) -> Vec<(ContainerId, ProfileKind)> {
        let mut list: Vec<_> = (self.inner.containers.borrow().iter())
            .filter_map(|c| match c.area {
                Area::Profile(kind) => Some((c.id, kind)),
                Area::Shared(_) => None,
            })
            .collect();
        list.sort_by_key(|(_, kind)| *kind != ProfileKind::Personal);
        list
    }

    /// The shared folders this browser opened, by name.
    pub fn shared(&self) -> Vec<(ContainerId, SharedArea)> {
        let mut list: Vec<_> = (self.inner.containers.borrow().iter())
            .filter_map(|c| match &c.area {
                Area::Shared(shared) => Some((c.id, shared.clone())),
                Area::Profile(_) => None,
            })
            .collect();
        list.sort_by_key(|(id, s)| (s.name.to_lowercase(), *id));
        list
    }

    /// The places an item can be saved in: the profiles, then the shared folders this account
    /// may change.
    pub fn writable_areas(&self) -> Vec<(ContainerId, Area)> {
        let mut out: Vec<_> = (self.profiles().into_iter())
            .map(|(id, kind)| (id, Area::Profile(kind)))
            .collect();
        if !self.sharing_disabled() {
            out.extend(
                (self.shared().into_iter())
                    .filter(|(_, s)| s.role != ListRole::View)
                    .map(|(id, s)| (id, Area::Shared(s))),
            );
        }
        out
    }

    /// Whether this account may change what is in `container` here: its role allows it, and
    /// for a shared folder, the company has not disabled sharing.
    pub fn can_edit_in(&self, container: ContainerId) -> bool {
        self.can_edit_with(container, self.sharing_disabled())
    }

    /// [`Self::can_edit_in`], with the policy as the interface last read it.
    pub fn can_edit_with(&self, container: ContainerId, sharing_disabled: bool) -> bool {
        match self.area(container) {
            Some(Area::Shared(_)) if sharing_disabled => false,
            Some(area) => area.can_edit(),
            None => false,
        }
    }

    /// Whether the company disabled sharing (set from its policies).
    pub fn sharing_disabled(&self) -> bool {
        self.inner.sharing_disabled.get()
    }

    /// Applies the company's "disable sharing" policy; true when that changed anything.
    pub fn set_sharing_disabled(&self, disabled: bool) -> bool {
        self.inner.sharing_disabled.replace(disabled) != disabled
    }

    /// What a container is, when this browser holds it.
    pub fn area(&self, container: ContainerId) -> Option<Area> {
        let containers = self.inner.containers.borrow();
        containers
            .iter()
            .find(|c| c.id == container)
            .map(|c| c.area.clone())
    }

    /// How a container is named to the person.
    pub fn container_name(&self, container: ContainerId) -> String {
        match self.area(container) {
            Some(Area::Profile(ProfileKind::Personal)) => "Your Personal profile".to_owned(),
            Some(Area::Profile(ProfileKind::Business)) => "Your Business profile".to_owned(),
            Some(Area::Shared(shared)) => format!("The shared folder \"{}\"", shared.name),
            None => "A shared folder".to_owned(),
        }
    }

    /// The container an item or folder is in.
    pub fn container_of(&self, id: RecordId) -> Option<ContainerId> {
        self.inner
            .containers
            .borrow()
            .iter()
            .find(|p| p.index.items.contains_key(&id) || p.index.folders.contains_key(&id))
            .map(|p| p.id)
    }

    /// Every folder of every container, as a tree in display order.
    pub fn folders(&self) -> Vec<FolderNode> {
        let profiles = self.inner.containers.borrow();
        let mut out = Vec::new();
        for p in profiles.iter() {
            let mut children: BTreeMap<Option<FolderId>, Vec<(String, FolderId)>> = BTreeMap::new();
            for (id, entry) in &p.index.folders {
                // A folder whose parent is gone shows at the top.
                let parent = entry
                    .parent
                    .filter(|parent| p.index.folders.contains_key(&RecordId(parent.0)));
                children
                    .entry(parent)
                    .or_default()
                    .push((entry.name.to_lowercase(), FolderId(id.0)));
            }
            for list in children.values_mut() {
                list.sort();
            }
            let mut stack: Vec<(FolderId, usize)> = children
                .get(&None)
                .map(|l| l.iter().rev().map(|(_, id)| (*id, 0)).collect())
                .unwrap_or_default();
            let mut seen = std::collections::BTreeSet::new();
            while let Some((id, depth)) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                let Some(entry) = p.index.folders.get(&RecordId(id.0)) else {
                    continue;
                };
                out.push(FolderNode {
                    id,
                    container: p.id,
                    name: entry.name.clone(),
                    parent: entry.parent,
                    depth,
                    path: p.index.folder_path(id),
                });
                if let Some(kids) = children.get(&Some(id)) {
                    stack.extend(kids.iter().rev().map(|(_, kid)| (*kid, depth + 1)));
                }
            }
        }
        out
    }

    fn search_texts(&self) -> Rc<BTreeMap<RecordId, SearchText>> {
        if let Some(texts) = self.inner.search.borrow().as_ref() {
            return texts.clone();
        }
        let profiles = self.inner.containers.borrow();
        let mut texts = BTreeMap::new();
        for p in profiles.iter() {
            let paths: BTreeMap<RecordId, String> = p
                .index
                .folders
                .keys()
                .map(|id| (*id, p.index.folder_path(FolderId(id.0))))
                .collect();
            for (id, s) in &p.index.items {
                let mut haystack = String::with_capacity(64);
                for part in [&s.title, &s.subtitle]
                    .into_iter()
                    .chain(s.folder.and_then(|f| paths.get(&RecordId(f.0))))
                    .chain(s.urls.iter())
                    .chain(s.tags.iter())
                {
                    haystack.push_str(&part.to_lowercase());
                    haystack.push('\u{1}');
                }
                let sort = s.title.to_lowercase();
                texts.insert(*id, SearchText { sort, haystack });
            }
        }
        let texts = Rc::new(texts);
        self.inner.search.replace(Some(texts.clone()));
        texts
    }

    /// Where `folder` may move: the folders of its container that are not it or inside it.
    pub fn folder_destinations(&self, folder: FolderId) -> Vec<FolderNode> {
        let profiles = self.inner.containers.borrow();
        let Some(p) = profiles
            .iter()
            .find(|p| p.index.folders.contains_key(&RecordId(folder.0)))
        else {
            return Vec::new();
        };
        let container = p.id;
        let inside = p.index.subtree(folder);
        drop(profiles);
        self.folders()
            .into_iter()
            .filter(|f| f.container == container && !inside.contains(&f.id))
            .collect()
    }

    /// The rows in `scope` matching `query` (every word, over title, URLs, username, tags and
    /// folder path), favourites first, then by title.
    pub fn rows(&self, scope: &Scope, query: &str) -> Vec<Row> {
        let texts = self.search_texts();
        let profiles = self.inner.containers.borrow();
        let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let mut found: Vec<(bool, &str, RecordId, Row)> = Vec::new();
        for p in profiles.iter() {
            let folder_filter = match scope {
                Scope::Container(id) | Scope::Folder(id, _) if *id != p.id => continue,
                Scope::Folder(_, folder) => Some(p.index.subtree(*folder)),
                _ => None,
            };
            let mut paths: BTreeMap<FolderId, String> = BTreeMap::new();
            for (id, s) in &p.index.items {
                let in_scope = match scope {
                    Scope::Trash => s.trashed_at.is_some(),
                    _ if s.trashed_at.is_some() => false,
                    Scope::Favourites => s.favourite,
                    _ => folder_filter
                        .as_ref()
                        .is_none_or(|folders| s.folder.is_some_and(|f| folders.contains(&f))),
                };
                let Some(text) = texts.get(id) else {
                    continue;
                };
                if !in_scope || !terms.iter().all(|t| text.haystack.contains(t.as_str())) {
                    continue;
                }
                let folder_path = s
                    .folder
                    .map(|f| {
                        paths
                            .entry(f)
                            .or_insert_with(|| p.index.folder_path(f))
                            .clone()
                    })
                    .unwrap_or_default();
                found.push((
                    !s.favourite,
                    text.sort.as_str(),
                    *id,
                    Row {
                        id: *id,
                        container: p.id,
                        area: p.area.clone(),
                        summary: s.clone(),
                        folder_path,
                    },
                ));
            }
        }
        found.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        found.into_iter().map(|(_, _, _, row)| row).collect()
    }
}
