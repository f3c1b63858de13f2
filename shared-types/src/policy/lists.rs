//! The lists policies take (recipients, pages, a company's domains): how an entry is checked
//! and cleaned, and how an address or a page is matched against them.

use super::MAX_LIST;

/// `list` trimmed, lower-cased, each entry checked by `entry`, sorted and without duplicates.
pub(super) fn clean_list(
    list: Vec<String>,
    title: &str,
    entry: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(list.len());
    for raw in list {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        match entry(&trimmed.to_lowercase()) {
            Some(clean) => out.push(clean),
            None => return Err(format!("\"{title}\": \"{trimmed}\" is not valid here.")),
        }
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_LIST {
        return Err(format!("\"{title}\" takes at most {MAX_LIST} entries."));
    }
    Ok(out)
}

/// A company's domains, cleaned as a policy list is (trimmed, lower case, sorted, once each);
/// or why not.
pub fn clean_domains(list: Vec<String>) -> Result<Vec<String>, String> {
    clean_list(list, "Company domains", |d| {
        let d = d.strip_prefix("*.").unwrap_or(d);
        domain(d).then(|| d.to_owned())
    })
}

/// The first of `domains` that one of `urls` is on (the domain or a subdomain).
pub fn company_domain_of<'a>(urls: &[String], domains: &'a [String]) -> Option<&'a String> {
    urls.iter()
        .filter_map(|u| host_and_path(u).map(|(host, _)| host))
        .find_map(|host| domains.iter().find(|d| host_within(&host, d)))
}

/// A domain name (letters, digits, hyphens, at least one dot), lower case.
pub(super) fn domain(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A recipient entry: an address, or a domain (a leading `@` or `*.` is dropped).
pub(super) fn recipient_entry(s: &str) -> Option<String> {
    let s = s.strip_prefix('@').or(s.strip_prefix("*.")).unwrap_or(s);
    match s.split_once('@') {
        Some((local, host)) => (!local.is_empty()
            && local.len() <= 64
            && !local.contains(char::is_whitespace)
            && domain(host))
        .then(|| s.to_owned()),
        None => domain(s).then(|| s.to_owned()),
    }
}

/// A page pattern: a domain, or a domain with a path in which `*` matches anything; any
/// `scheme://` is dropped.
pub(super) fn url_pattern(s: &str) -> Option<String> {
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.strip_prefix("*.").unwrap_or(s);
    let (host, path) = match s.find('/') {
        Some(at) => (&s[..at], &s[at..]),
        None => (s, ""),
    };
    let host = host.split(':').next().unwrap_or(host);
    (domain(host) && !path.contains(char::is_whitespace) && path.len() <= 500)
        .then(|| format!("{host}{}", if path == "/" { "" } else { path }))
}

/// Whether `host` is `domain` or one of its subdomains.
pub(super) fn host_within(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

/// The host and path of `url` (no scheme, port, query or fragment), lower case; None when it
/// has no host.
pub fn host_and_path(url: &str) -> Option<(String, String)> {
    let url = url.trim().to_lowercase();
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host);
    (!host.is_empty()).then(|| (host.to_owned(), path.to_owned()))
}
