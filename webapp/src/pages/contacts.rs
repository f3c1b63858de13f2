//! Contacts: the people this person shares with, and the keys Strongroom trusts for each. Keys
//! are accepted the first time they are seen; the fingerprint is there to compare with the
//! person out of band, and a change of keys blocks until the person has compared again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_crypto::derive_fingerprint;

use crate::pages::signup::ErrorLine;
use crate::pages::vault::until_unlocked;
use crate::services::auth::AuthStatus;
use crate::services::sharing::contacts::{self, Found};
use crate::services::sharing::published::VerifiedKeys;
use crate::services::sharing::trust::{CompanyPinSource, ContactPin, Judgement, PinSource};
use crate::services::sync::{VaultService, VaultState};
use crate::services::{Auth, Services, now_ms};

/// A change of keys waiting for the person.
#[derive(Clone, PartialEq)]
struct KeyChange {
    email: String,
    pinned: String,
    served: VerifiedKeys,
}

/// The contacts page.
#[component]
pub fn Contacts() -> impl IntoView {
    let status = Auth::get();
    let vault = VaultService::get();
    move || {
        until_unlocked(status.get()).unwrap_or_else(|| match vault.state() {
            VaultState::Open(_) => view! { <ContactList /> }.into_any(),
            VaultState::Failed(message) => {
                view! { <p class="page error" role="alert">{message}</p> }.into_any()
            }
            _ => view! { <p class="page">"Opening the vault…"</p> }.into_any(),
        })
    }
}

/// The notice for a contact whose new keys their company certified.
fn recertified(email: &str) -> String {
    format!("{email} has new keys, certified by your company; they replace the ones you had.")
}

/// What a lookup or a refresh found that the person must decide on, as a change to show.
fn change_of(found: &Found) -> Option<KeyChange> {
    match found {
        Found::Judged {
            served,
            judgement: Judgement::Changed { pinned, .. },
            ..
        } => Some(KeyChange {
            email: served.email.clone(),
            pinned: pinned.clone(),
            served: (**served).clone(),
        }),
        _ => None,
    }
}

#[component]
fn ContactList() -> impl IntoView {
    let services = Services::handle();
    let vault = VaultService::get();
    let sync = vault.status();
    let (email, set_email) = signal(String::new());
    let (message, set_message) = signal(None::<String>);
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let changes = RwSignal::new(Vec::<KeyChange>::new());
    let company_key = Memo::new(move |_| {
        sync.changes.track();
        let open = vault.open_vault()?;
        let (company, _) = open.session.company()?;
        let pin = open.session.company_pin(company)?;
        let via = match pin.via {
            CompanyPinSource::Made => "made by your browser",
            CompanyPinSource::LinkFragment => "checked against your invitation link",
            CompanyPinSource::FirstUse => "trusted when first seen",
            CompanyPinSource::Compared => "compared with an Admin",
        };
        Some((pin.fingerprint(), via))
    });
    let list = Memo::new(move |_| {
        sync.changes.track();
        let mut pins = vault
            .open_vault()
            .map(|open| open.session.contacts())
            .unwrap_or_default();
        pins.sort_by(|a, b| a.email.cmp(&b.email));
        pins
    });
    let report = move |found: &Found| match found {
        Found::Nobody => set_error.set(Some(
            "Nobody with this address has a Strongroom account yet.".to_owned(),
        )),
        Found::Refused(refused) => set_error.set(Some(refused.to_string())),
        Found::Judged {
            judgement, served, ..
        } => match judgement {
            Judgement::New => set_message.set(Some(format!(
                "{} added. Compare the fingerprint with them to mark them verified.",
                served.email
            ))),
            Judgement::NewCertified => set_message.set(Some(format!(
                "{} added: your company certifies their keys.",
                served.email
            ))),
            Judgement::NowCertified => set_message.set(Some(format!(
                "{} is already a contact; your company now certifies their keys.",
                served.email
            ))),
            Judgement::Same | Judgement::Updated => {
                set_message.set(Some(format!("{} is already a contact.", served.email)))
            }
            Judgement::Recertified { .. } => set_message.set(Some(recertified(&served.email))),
            Judgement::Rollback => set_error.set(Some(format!(
                "The server sent older keys for {} than the ones you trust. They were refused.",
                served.email
            ))),
            Judgement::Changed { .. } => {}
        },
    };
    // Every open of the page checks the pinned contacts' keys again.
    Effect::new(move |_| {
        let Some(open) = vault.open_vault() else {
            return;
        };
        spawn_local(async move {
            match contacts::refresh(&services.all().api, &open.session, now_ms() as i64).await {
                Ok(found) => {
                    changes.set(found.iter().filter_map(|(_, f)| change_of(f)).collect());
                    let refused: Vec<String> = found
                        .iter()
                        .filter_map(|(_, f)| match f {
                            Found::Refused(r) => Some(r.to_string()),
                            _ => None,
                        })
                        .collect();
                    if !refused.is_empty() {
                        set_error.set(Some(refused.join(" ")));
                    }
                    let renewed: Vec<String> = found
                        .iter()
                        .filter_map(|(_, f)| match f {
                            Found::Judged {
                                served,
                                judgement: Judgement::Recertified { .. },
                                ..
                            } => Some(recertified(&served.email)),
                            _ => None,
                        })
                        .collect();
                    if !renewed.is_empty() {
                        set_message.set(Some(renewed.join(" ")));
                    }
                    sync.changed();
                    open.engine.sync_now();
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(open) = vault.open_vault() else {
            return;
        };
        set_error.set(None);
        set_message.set(None);
        set_busy.set(true);
        let address = email.get_untracked();
        spawn_local(async move {
            match contacts::look_up(
                &services.all().api,
                &open.session,
                &address,
                now_ms() as i64,
            )
            .await
            {
                Ok(found) => {
                    report(&found);
                    if let Some(change) = change_of(&found) {
                        changes.update(|c| {
                            c.retain(|k| k.served.account_id != change.served.account_id);
                            c.push(change);
                        });
                    } else {
                        set_email.set(String::new());
                    }
                    sync.changed();
                    open.engine.sync_now();
                }
                Err(e) => set_error.set(Some(e)),
            }
            set_busy.set(false);
        });
    };
    let mark = move |pin: ContactPin| {
        let Some(open) = vault.open_vault() else {
            return;
        };
        spawn_local(async move {
            match contacts::mark_compared(&open.session, &pin, now_ms() as i64).await {
                Ok(()) => {
                    sync.changed();
                    open.engine.sync_now();
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let accept = move |change: KeyChange| {
        let Some(open) = vault.open_vault() else {
            return;
        };
        spawn_local(async move {
            match contacts::trust_compared(&open.session, &change.served, now_ms() as i64).await {
                Ok(()) => {
                    changes.update(|c| c.retain(|k| k != &change));
                    sync.changed();
                    open.engine.sync_now();
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="page">
            <h1>"Contacts"</h1>
            <p class="hint">"The people you share with. Strongroom trusts the keys it first sees for each person. To be sure nobody stands in between, compare the fingerprint below with the one the person sees under Account settings (in person or on a call), then mark them verified."</p>
            <OwnFingerprint />
            {move || company_key.get().map(|(fp, via)| view! {
                <p class="hint" data-testid="company-fingerprint">
                    "Your company's signing key, which certifies its members' keys: "
                    <code>{fp}</code>
                    {format!(" ({via}). Compare it with an Admin's to be sure.")}
                </p>
            })}
            {move || changes.get().into_iter().map(|change| {
                let keep = change.clone();
                let take = change.clone();
                view! {
                    <section class="card dialog" role="alertdialog" aria-labelledby="key-change-title" data-testid="key-change">
                        <h2 id="key-change-title">{format!("The keys of {} changed", change.email)}</h2>
                        <p>"Nothing will be shared with this person until you check. A new device or a reset account changes keys; so would someone trying to read what you share."</p>
                        <p>"Fingerprint you trusted: " <code>{change.pinned.clone()}</code></p>
                        <p>"Fingerprint now: " <code data-testid="new-fingerprint">{change.served.fingerprint.clone()}</code></p>
                        <p class="hint">"Ask them to read you the fingerprint under their Account settings."</p>
                        <div class="actions">
                            <button class="button primary" on:click=move |_| accept(take.clone())>"They match: trust the new keys"</button>
                            <button class="button" on:click=move |_| changes.update(|c| c.retain(|k| k != &keep))>"Keep the old keys"</button>
                        </div>
                    </section>
                }
            }).collect_view()}
            <form class="inline-form" on:submit=add>
                <label for="contact-email">"Add a contact"</label>
                <input id="contact-email" type="email" autocomplete="off" required placeholder="name@example.com"
                    prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev)) />
                <button type="submit" class="button primary" disabled=busy>"Look up"</button>
            </form>
            <ErrorLine error=error />
            {move || message.get().map(|m| view! { <p class="ok" role="status">{m}</p> })}
            {move || {
                let pins = list.get();
                if pins.is_empty() {
                    return view! { <p class="empty">"No contacts yet."</p> }.into_any();
                }
                view! {
                    <table class="table" data-testid="contacts">
                        <thead><tr><th>"Email"</th><th>"Fingerprint"</th><th>"Status"</th><th></th></tr></thead>
                        <tbody>
                            {pins.into_iter().map(|pin| {
                                let compared = pin.source == PinSource::Compared;
                                let certified = pin.source == PinSource::Certified;
                                let target = pin.clone();
                                view! {
                                    <tr>
                                        <td>{pin.email.clone()}</td>
                                        <td><code>{pin.fingerprint()}</code></td>
                                        <td>{if compared {
                                            view! { <span class="badge badge-ok">"Verified"</span> }.into_any()
                                        } else if certified {
                                            view! { <span class="badge badge-ok">"Certified by your company"</span> }.into_any()
                                        } else {
                                            view! { <span class="badge badge-pending">"Not verified"</span> }.into_any()
                                        }}</td>
                                        <td>{(!compared).then(|| view! {
                                            <button class="button" on:click=move |_| mark(target.clone())>"Mark as verified"</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// This account's fingerprint, for others to compare with what their Contacts page shows.
#[component]
pub fn OwnFingerprint() -> impl IntoView {
    let status = Auth::get();
    let own = move || match status.get() {
        AuthStatus::Unlocked(keys) => derive_fingerprint(
            &keys.signing_key.verifying_key(),
            &keys.encryption_key.public_key(),
        ),
        _ => String::new(),
    };
    view! { <p>"Your fingerprint: " <code data-testid="own-fingerprint">{own}</code></p> }
}
