//! The item list: a search box and a virtualised list (only the rows in view are in the page, so
//! 10,000 items scroll as fast as ten). A search looks through what the navigation selects (both
//! profiles under "All items"), and the search box says where. Keyboard: typing anywhere
//! searches, the arrows move the selection, Enter opens the selected item, Ctrl+C copies its
//! password when no text is selected (also once Enter has moved the focus to the item).

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;

use super::nav::start_drag;
use super::{Pane, SyncState, VaultUi};
use crate::services::vault::model::ItemKind;
use crate::services::vault::{Row, Scope};

/// The height of one row in pixels (matches `.item-row` in style.css).
const ROW_HEIGHT: f64 = 52.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 6;

/// Copies the main secret of the selected item.
fn copy_secret(ui: VaultUi, id: shared_types::RecordId) {
    let Some(session) = ui.session() else {
        return;
    };
    leptos::task::spawn_local(async move {
        match session.item(id).await {
            Ok(item) => match item.data.kind.main_secret_key() {
                Some(key) if !item.data.field(key).is_empty() => {
                    ui.copy("Password", item.data.field(key).to_owned(), true)
                }
                _ => ui
                    .notice
                    .set(Some("This item has no password to copy.".to_owned())),
            },
            Err(e) => ui.notice.set(Some(e.to_string())),
        }
    });
}

/// The search box and the list.
#[component]
pub fn ItemList() -> impl IntoView {
    let ui = VaultUi::get();
    let rows = Memo::new(move |_| {
        ui.version.track();
        let scope = ui.scope.get();
        let query = ui.query.get();
        Arc::new(ui.session.with_value(|s| s.rows(&scope, &query)))
    });
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let list_ref = NodeRef::<html::Div>::new();
    let search_ref = NodeRef::<html::Input>::new();

    // Keep the selected row in view when the selection moves by keyboard.
    let reveal = move |index: usize| {
        if let Some(list) = list_ref.get_untracked() {
            let top = index as f64 * ROW_HEIGHT;
            let height = f64::from(list.client_height());
            let current = f64::from(list.scroll_top());
            if top < current {
                list.set_scroll_top(top as i32);
            } else if top + ROW_HEIGHT > current + height {
                list.set_scroll_top((top + ROW_HEIGHT - height) as i32);
            }
        }
    };
    let move_selection = move |delta: isize| {
        let list = rows.get_untracked();
        if list.is_empty() {
            return;
        }
        let current = ui
            .selected
            .get_untracked()
            .and_then(|id| list.iter().position(|r| r.id == id));
        let next = match current {
            None if delta > 0 => 0,
            None => list.len() - 1,
            Some(i) => (i as isize + delta).clamp(0, list.len() as isize - 1) as usize,
        };
        ui.show_item(list[next].id);
        reveal(next);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            move_selection(1);
        }
        "ArrowUp" => {
            ev.prevent_default();
            move_selection(-1);
        }
        "Enter" => {
            ev.prevent_default();
            if ui.selected.get_untracked().is_none() {
                move_selection(1);
            }
            if let Some(id) = ui.selected.get_untracked() {
                ui.show_item(id);
                ui.focus_item.set(true);
            }
        }
        "Escape" => ui.query.set(String::new()),
        _ => {}
    };

    // Typing anywhere outside a field starts a search; Ctrl+C outside a field (or in the search
    // box) copies the selected item's password, so it also works once Enter has moved the focus
    // to the item.
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let target = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
        let search_box = search_ref.get_untracked();
        let in_search = match (&target, &search_box) {
            (Some(el), Some(input)) => input.is_same_node(Some(el)),
            _ => false,
        };
        let in_field = target.is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("form, [role=dialog]").ok().flatten().is_some()
        });
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key())
            && key.eq_ignore_ascii_case("c")
            && (!in_field || in_search)
        {
            let text_selected = has_text_selection()
                || search_box.as_ref().is_some_and(|input| {
                    in_search && input.selection_start().ok() != input.selection_end().ok()
                });
            if !text_selected && let Some(id) = ui.selected.get_untracked() {
                ev.prevent_default();
                copy_secret(ui, id);
            }
            return;
        }
        if in_field || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        if key == "/" || key.chars().count() == 1 && !key.trim().is_empty() {
            if let Some(input) = search_ref.get_untracked() {
                let _ = input.focus();
                if key != "/" {
                    ui.query.update(|q| q.push_str(&key));
                }
                ev.prevent_default();
            }
        } else if key == "ArrowDown" || key == "ArrowUp" {
            if let Some(input) = search_ref.get_untracked() {
                let _ = input.focus();
            }
            ev.prevent_default();
            move_selection(if key == "ArrowDown" { 1 } else { -1 });
        }
    });
    on_cleanup(move || handle.remove());

    let visible = move || {
        let list = rows.get();
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (viewport.get() / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        let last = (first + count).min(list.len());
        (first.min(last)..last)
            .map(|i| (i, list[i].clone()))
            .collect::<Vec<_>>()
    };

    view! {
        <section class="item-list" aria-label="Items">
            <div class="list-tools">
                <input autocomplete="off" type="search" class="search" placeholder=move || format!("Search {} (type anywhere)", scope_name(ui))
                    aria-label="Search" node_ref=search_ref
                    aria-controls="item-rows"
                    prop:value=move || ui.query.get()
                    on:input=move |ev| { ui.query.set(event_target_value(&ev)); if let Some(l) = list_ref.get_untracked() { l.set_scroll_top(0); } }
                    on:keydown=on_key />
                <NewItemMenu />
            </div>
            <super::share::SharePanel />
            <p class="hint list-count" data-testid="item-count">
                {move || {
                    let n = rows.with(|r| r.len());
                    let what = match ui.scope.get() { Scope::Trash => " in the trash (kept 30 days)", _ => "" };
                    format!("{n} item{}{what}", if n == 1 { "" } else { "s" })
                }}
            </p>
            <div class="rows" id="item-rows" role="listbox" aria-label="Item list" tabindex="0"
                node_ref=list_ref
                on:keydown=on_key
                on:scroll=move |_| if let Some(l) = list_ref.get_untracked() {
                    scroll_top.set(f64::from(l.scroll_top()));
                    viewport.set(f64::from(l.client_height()));
                }>
                <div class="rows-inner" style:height=move || format!("{}px", rows.with(|r| r.len()) as f64 * ROW_HEIGHT)>
                    {move || visible().into_iter().map(|(i, row)| view! { <ItemRow index=i row=row /> }).collect_view()}
                </div>
                <Show when=move || rows.with(|r| r.is_empty())>
                    <p class="empty hint">{move || if ui.query.with(String::is_empty) { "No items here yet." } else { "Nothing matches this search." }}</p>
                </Show>
            </div>
        </section>
    }
}

/// What the list shows, for the search box: a search looks only there.
fn scope_name(ui: VaultUi) -> String {
    ui.version.track();
    let profile_name = |id| {
        ui.session
            .with_value(|s| s.area(id).map(|a| a.label()).unwrap_or_default())
    };
    match ui.scope.get() {
        Scope::All if ui.session.with_value(|s| s.shared().is_empty()) => {
            "both profiles".to_owned()
        }
        Scope::All => "your profiles and shared folders".to_owned(),
        Scope::Favourites => "favourites".to_owned(),
        Scope::Trash => "the trash".to_owned(),
        Scope::Container(p) => profile_name(p),
        Scope::Folder(p, f) => {
            let path = ui.session.with_value(|s| {
                s.folders()
                    .into_iter()
                    .find(|n| n.id == f)
                    .map(|n| n.path)
                    .unwrap_or_default()
            });
            format!("{} / {path}", profile_name(p))
        }
    }
}

fn has_text_selection() -> bool {
    window()
        .get_selection()
        .ok()
        .flatten()
        .is_some_and(|s| !s.is_collapsed())
}

/// One row of the list.
#[component]
fn ItemRow(index: usize, row: Row) -> impl IntoView {
    let ui = VaultUi::get();
    let id = row.id;
    let selected = move || ui.selected.get() == Some(id);
    let pending = move || ui.pending.with(|p| p.contains(&id));
    let refused = move || ui.refused.with(|r| r.get(&id).cloned());
    let dot_class = move || {
        if !pending() {
            "dot green"
        } else if refused().is_some()
            || matches!(ui.sync.get(), SyncState::Offline | SyncState::Failed(_))
        {
            "dot red"
        } else {
            "dot yellow"
        }
    };
    let dot_title = move || {
        if !pending() {
            "Synchronised".to_owned()
        } else if let Some(reason) = refused() {
            format!(
                "Refused by the server: {reason} It is kept in this browser; edit it to try again."
            )
        } else {
            match ui.sync.get() {
                SyncState::Offline => {
                    "Not sent: the server cannot be reached. It is kept in this browser.".to_owned()
                }
                SyncState::Failed(m) => format!("Not sent: {m}"),
                SyncState::DeviceOnly => {
                    "Not sent: this browser keeps the vault on this device only.".to_owned()
                }
                _ => "Waiting to be sent".to_owned(),
            }
        }
    };
    let kind_label = row.summary.kind.map(ItemKind::label).unwrap_or("Damaged");
    let profile = row.area.label();
    let place = if row.folder_path.is_empty() {
        profile
    } else {
        format!("{profile} / {}", row.folder_path)
    };
    view! {
        <div class="item-row" role="option" aria-selected=move || selected().to_string()
            class:selected=selected class:damaged=row.summary.kind.is_none()
            data-testid="item-row" draggable="true"
            style:top=format!("{}px", index as f64 * ROW_HEIGHT)
            on:dragstart=move |ev| start_drag(&ev, "item", id)
            on:click=move |_| ui.show_item(id)>
            <span class=dot_class title=dot_title aria-label=dot_title data-testid="sync-dot"></span>
            <div class="item-text">
                <span class="item-title">
                    {row.summary.favourite.then_some("★ ")}
                    {row.summary.title.clone()}
                </span>
                <span class="item-sub">{row.summary.subtitle.clone()}</span>
            </div>
            <span class="item-meta">{kind_label}" · "{place}</span>
        </div>
    }
}

/// The "New item" menu: one entry per kind.
#[component]
fn NewItemMenu() -> impl IntoView {
    let ui = VaultUi::get();
    view! {
        <label for="new-item-kind" class="visually-hidden">"New item"</label>
        <select id="new-item-kind" class="new-item"
            on:change=move |ev| {
                let value = event_target_value(&ev);
                if let Some(kind) = ItemKind::from_slug(&value) {
                    ui.pane.set(Pane::New(kind));
                }
                if let Some(select) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok()) {
                    select.set_value("");
                }
            }>
            <option value="" selected=true>"+ New item…"</option>
            {ItemKind::ALL.into_iter().map(|k| view! { <option value=k.slug()>{k.label()}</option> }).collect_view()}
        </select>
    }
}
