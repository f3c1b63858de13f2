//! A QR code, drawn as inline SVG (no image request, nothing for the CSP to allow).

use leptos::prelude::*;

/// The QR code of `text`, with `label` for assistive technology.
#[component]
pub fn QrCode(text: String, label: &'static str) -> impl IntoView {
    let svg = qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default();
    view! { <div class="qr" role="img" aria-label=label inner_html=svg></div> }
}
