//! Every text field of the app says how the browser may remember it: the vault's, the admin
//! views' and the dialogs' with `autocomplete="off"` (the browser keeps no form history of
//! them), the app's own sign-in and sign-up with the tokens password managers expect. And no
//! field outside sign-in, sign-up, unlock and the master-password steps is a password field:
//! the browser would offer to save it as this site's password and keep it in its profile.

#![allow(clippy::unwrap_used)]

use std::path::Path;

/// Every `<input …>` and `<textarea …>` tag in the app's views, with its file.
fn tags() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut folders = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for start in ["<input", "<textarea"] {
                for (at, _) in source.match_indices(start) {
                    // The tag ends at the first `/>` or `>` that follows on a line of its own
                    // or at the end of its attributes; views keep tags short, so the next
                    // `/>` or `></textarea>` is it.
                    let rest = &source[at..];
                    let end = rest
                        .find("/>")
                        .into_iter()
                        .chain(rest.find("></"))
                        .min()
                        .unwrap_or(rest.len());
                    found.push((path.display().to_string(), rest[..end].to_owned()));
                }
            }
        }
    }
    found
}

#[test]
fn every_text_field_tells_the_browser_what_to_remember() {
    let skipped = [
        "type=\"checkbox\"",
        "type=\"radio\"",
        "type=\"file\"",
        "type=\"range\"",
    ];
    let missing: Vec<_> = tags()
        .into_iter()
        .filter(|(file, tag)| {
            !file.ends_with("form_fields_tests.rs") && !tag.contains("autocomplete=")
        })
        .filter(|(_, tag)| !skipped.iter().any(|s| tag.contains(s)))
        .collect();
    assert!(
        missing.is_empty(),
        "fields without autocomplete: {missing:#?}"
    );
}

#[test]
fn only_the_master_password_is_ever_a_password_field() {
    let allowed = ["current-password", "new-password"];
    let wrong: Vec<_> = tags()
        .into_iter()
        .filter(|(file, tag)| {
            !file.ends_with("form_fields_tests.rs") && tag.contains("type=\"password\"")
        })
        .filter(|(_, tag)| {
            !allowed
                .iter()
                .any(|a| tag.contains(&format!("autocomplete=\"{a}\"")))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "password fields that are not the master password: {wrong:#?}"
    );
    // And those are where the master password is typed.
    for (file, tag) in tags()
        .into_iter()
        .filter(|(_, tag)| tag.contains("type=\"password\""))
    {
        let page = [
            "login.rs",
            "signup.rs",
            "vault.rs",
            "settings.rs",
            "invite.rs",
            "export.rs",
        ];
        assert!(page.iter().any(|p| file.ends_with(p)), "{file}: {tag}");
    }
}

#[test]
fn masked_fields_are_never_spellchecked_or_capitalised() {
    // A real password field is exempt from these; a masked text field must opt out itself
    // (cloud spellcheckers would read it; phone keyboards would capitalise what is typed, unseen).
    let loose: Vec<_> = tags()
        .into_iter()
        .filter(|(file, tag)| !file.ends_with("form_fields_tests.rs") && tag.contains("masked"))
        .filter(|(_, tag)| {
            !["spellcheck=\"false\"", "autocapitalize=\"off\""]
                .iter()
                .all(|a| tag.contains(a))
        })
        .collect();
    assert!(
        loose.is_empty(),
        "masked fields without the opt-outs: {loose:#?}"
    );
    assert!(
        tags()
            .iter()
            .filter(|(_, tag)| tag.contains("masked"))
            .count()
            >= 5
    );
}
