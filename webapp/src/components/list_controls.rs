//! What the admin lists share: the search box that asks once typing pauses, the column headers
//! that sort, and the pager. A list keeps its state in a [`ListState`] and builds its query
//! from it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared_types::org::SortDir;

use crate::services::orgs::SEARCH_PAUSE_MS;

/// A list's search, order and page.
#[derive(Debug)]
pub struct ListState<S: 'static> {
    /// The search the server was asked for.
    pub q: RwSignal<String>,
    /// What is typed in the box (asked for once typing pauses).
    pub typed: RwSignal<String>,
    /// The column sorted by.
    pub sort: RwSignal<S>,
    /// Its direction.
    pub dir: RwSignal<SortDir>,
    /// The page shown, from 1.
    pub page: RwSignal<u32>,
}

impl<S> Clone for ListState<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for ListState<S> {}

impl<S: Copy + PartialEq + Send + Sync + 'static> ListState<S> {
    /// A list sorted by `sort`, ascending, on its first page.
    pub fn new(sort: S) -> Self {
        Self {
            q: RwSignal::new(String::new()),
            typed: RwSignal::new(String::new()),
            sort: RwSignal::new(sort),
            dir: RwSignal::new(SortDir::Asc),
            page: RwSignal::new(1),
        }
    }

    /// The search to send, if any (tracked).
    pub fn search_text(self) -> Option<String> {
        Some(self.q.get()).filter(|q| !q.trim().is_empty())
    }

    /// Takes typed text; the server is asked once typing pauses, not at every key.
    pub fn type_search(self, text: String) {
        self.typed.set(text.clone());
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(SEARCH_PAUSE_MS).await;
            if self.typed.get_untracked() == text {
                self.q.set(text);
                self.page.set(1);
            }
        });
    }

    /// Sorts by `column`; pressed again, turns the order round.
    pub fn sort_by(self, column: S) {
        if self.sort.get_untracked() == column {
            self.dir.update(|d| {
                *d = match d {
                    SortDir::Asc => SortDir::Desc,
                    SortDir::Desc => SortDir::Asc,
                }
            });
        } else {
            self.sort.set(column);
            self.dir.set(SortDir::Asc);
        }
        self.page.set(1);
    }
}

/// The search box of a list.
#[component]
pub fn SearchBox<S: Copy + PartialEq + Send + Sync + 'static>(
    list: ListState<S>,
    label: &'static str,
) -> impl IntoView {
    view! {
        <input autocomplete="off" class="search" type="search" placeholder=label aria-label=label
            prop:value=list.typed on:input=move |ev| list.type_search(event_target_value(&ev)) />
    }
}

/// A column header that sorts the list.
#[component]
pub fn SortHeader<S: Copy + PartialEq + Send + Sync + 'static>(
    list: ListState<S>,
    label: &'static str,
    column: S,
) -> impl IntoView {
    view! {
        <th>
            <button type="button" class="sort" on:click=move |_| list.sort_by(column)>
                {label}
                {move || (list.sort.get() == column).then(|| if list.dir.get() == SortDir::Asc { " ▲" } else { " ▼" })}
            </button>
        </th>
    }
}

/// Previous and next under a list, with where it stands.
#[component]
pub fn Pager<S: Copy + PartialEq + Send + Sync + 'static>(
    list: ListState<S>,
    page: u32,
    per_page: u32,
    total: u64,
    noun: &'static str,
) -> impl IntoView {
    let pages = total.div_ceil(u64::from(per_page.max(1))).max(1);
    view! {
        <div class="pager">
            <button type="button" class="button" disabled=page <= 1
                on:click=move |_| list.page.update(|p| *p = p.saturating_sub(1).max(1))>"Previous"</button>
            <span>{format!("Page {page} of {pages} ({total} {noun})")}</span>
            <button type="button" class="button" disabled=u64::from(page) >= pages
                on:click=move |_| list.page.update(|p| *p += 1)>"Next"</button>
        </div>
    }
}
