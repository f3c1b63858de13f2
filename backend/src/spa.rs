//! Serving the built web app, with the security headers every response carries.
//!
//! Trunk writes a small inline module script into `index.html` that loads the wasm. Rather than
//! allowing inline scripts, the server hashes each inline script of the `index.html` it serves
//! and allows exactly those hashes in the Content-Security-Policy. The wasm and JS files carry
//! Subresource Integrity attributes written by Trunk.

use std::path::{Path, PathBuf};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The built app, read once at start-up.
#[derive(Clone)]
pub struct Spa {
    dir: PathBuf,
    index: Option<web::Bytes>,
    csp: String,
}

impl Spa {
    /// Loads `dir/index.html` if it exists and derives the CSP from its inline scripts.
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let index_path = dir.join("index.html");
        let index = match std::fs::read_to_string(&index_path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(path = %index_path.display(), "no built web app; only the API is served");
                None
            }
            Err(e) => return Err(e),
        };
        let hashes = index
            .as_deref()
            .map(inline_script_hashes)
            .unwrap_or_default();
        Ok(Self {
            dir: dir.to_owned(),
            csp: content_security_policy(&hashes),
            index: index.map(web::Bytes::from),
        })
    }

    /// The Content-Security-Policy for every response.
    pub fn csp(&self) -> &str {
        &self.csp
    }

    /// The folder the app is served from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `index.html` for the app's own routes (client-side routing), or a plain page saying the
    /// app is not built.
    pub fn index_response(&self) -> HttpResponse {
        match &self.index {
            Some(body) => HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "no-cache"))
                .body(body.clone()),
            None => HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("The Strongroom web app has not been built. Run the README's run command, or `trunk build --release`, then restart the server.\n"),
        }
    }
}

/// Serves `index.html`.
pub async fn index(spa: web::Data<Spa>) -> HttpResponse {
    spa.index_response()
}

/// Serves `index.html` for any path that is not a file (the app routes on the client).
pub async fn fallback(req: HttpRequest, spa: web::Data<Spa>) -> HttpResponse {
    let path = req.path();
    // A missing asset is a 404, not the app: a stale hashed file name must fail loudly.
    let looks_like_file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if looks_like_file {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("Not found.\n");
    }
    spa.index_response()
}

/// SHA-256 hashes (CSP source form) of every inline `<script>` in `html`.
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_and_rest = &after[tag_end + 1..];
        let Some(close) = body_and_rest.find("</script>") else {
            break;
        };
        let body = &body_and_rest[..close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_rest[close + "</script>".len()..];
    }
    hashes
}

fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'none'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The headers every response carries.
pub fn security_headers(csp: &str) -> actix_web::middleware::DefaultHeaders {
    let csp = HeaderValue::from_str(csp).expect("the CSP is built from ASCII only");
    actix_web::middleware::DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, csp))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        // Ignored by browsers over plain HTTP (local use); binding once served over HTTPS.
        .add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<html><head><script type="module">import init from '/a.js';</script>
            <script src="/b.js"></script><script>  </script></head></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/a.js';"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        let csp = content_security_policy(&hashes);
        assert!(csp.contains(&hashes[0]));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
