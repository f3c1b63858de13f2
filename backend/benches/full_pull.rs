//! A full pull of 10,000 records, the way a browser makes it (every page, with the
//! `Accept-Encoding` Chromium sends), in JSON and in the binary wire, against a release server on
//! SQLite: wall time, the server's CPU time and the bytes that cross the network, per full pull.
//! Prints medians; asserts nothing about time.
//!
//! ```sh
//! cargo build --release -p backend
//! cargo bench -p backend --bench full_pull
//! ```
//!
//! The variants alternate within each round (this machine's speed drifts). "json, identity" is
//! the JSON a client gets that asks for no compression; "json, browser" is what a browser got
//! before the binary wire; "binary, browser" is what it gets now.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::running::{Running, cpu_time, signed_up_profile};
use common::vault::new_item;
use shared_types::vault::{BINARY_WIRE, Cursor, PullRequest, PullResponse, PushRequest};

const RECORDS: usize = 10_000;
/// About a login item's sealed size.
const DATA_BYTES: usize = 560;
const ROUNDS: usize = 7;
const BROWSER_ENCODINGS: &str = "gzip, deflate, br, zstd";

struct Variant {
    name: &'static str,
    accept: &'static str,
    encodings: &'static str,
}

const VARIANTS: [Variant; 3] = [
    Variant {
        name: "json, identity",
        accept: "application/json",
        encodings: "identity",
    },
    Variant {
        name: "json, browser",
        accept: "application/json",
        encodings: BROWSER_ENCODINGS,
    },
    Variant {
        name: "binary, browser",
        accept: BINARY_WIRE,
        encodings: BROWSER_ENCODINGS,
    },
];

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("full_pull: run it with `cargo bench -p backend --bench full_pull`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let server = Running::start(dir.path(), None, &http).await;
    let mail = dir.path().join("data").join("mail");
    let (cookie, container) =
        signed_up_profile(&http, &server.base, &mail, "bench@example.com").await;
    for _ in 0..RECORDS / 500 {
        let changes = (0..500)
            .map(|_| {
                let mut change = new_item(container);
                change.data = Some(common::random(DATA_BYTES));
                change
            })
            .collect();
        let reply = http
            .post(format!("{}/api/vault/push", server.base))
            .header("cookie", &cookie)
            .json(&PushRequest { changes })
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_success());
    }

    // The pages a browser asks for, learnt once in the binary wire.
    let mut requests = vec![PullRequest::default()];
    loop {
        let page: PullResponse = postcard::from_bytes(
            &pull(
                &http,
                &server.base,
                &cookie,
                requests.last().unwrap(),
                &VARIANTS[2],
            )
            .await
            .0,
        )
        .unwrap();
        if !page.more {
            break;
        }
        let mut next = requests.last().unwrap().clone();
        next.access_since = page.access_head;
        for record in &page.records {
            match next
                .cursors
                .iter_mut()
                .find(|c| c.container_id == record.container_id)
            {
                Some(cursor) => cursor.revision = cursor.revision.max(record.revision),
                None => next.cursors.push(Cursor {
                    container_id: record.container_id,
                    revision: record.revision,
                }),
            }
        }
        requests.push(next);
    }
    println!(
        "full_pull: {RECORDS} records of {DATA_BYTES} sealed bytes, {} pages",
        requests.len()
    );

    let pid = server.child.id().to_string();
    let mut results: Vec<Vec<(Duration, Duration, usize)>> = vec![Vec::new(); VARIANTS.len()];
    for _ in 0..ROUNDS {
        for (i, variant) in VARIANTS.iter().enumerate() {
            let cpu = cpu_time(&pid);
            let started = Instant::now();
            let mut bytes = 0;
            for request in &requests {
                bytes += pull(&http, &server.base, &cookie, request, variant)
                    .await
                    .0
                    .len();
            }
            results[i].push((started.elapsed(), cpu_time(&pid) - cpu, bytes));
        }
    }
    for (variant, mut runs) in VARIANTS.iter().zip(results) {
        let median = |runs: &mut Vec<(Duration, Duration, usize)>,
                      key: fn(&(Duration, Duration, usize)) -> u128| {
            runs.sort_by_key(key);
            runs[runs.len() / 2]
        };
        let wall = median(&mut runs, |r| r.0.as_micros()).0;
        let cpu = median(&mut runs, |r| r.1.as_micros()).1;
        let bytes = median(&mut runs, |r| r.2 as u128).2;
        println!(
            "{:>16}: wall {:>6.1} ms · server CPU {:>6.1} ms · {:>5.2} MB on the wire (medians of {ROUNDS})",
            variant.name,
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3,
            bytes as f64 / 1e6,
        );
    }
}

/// One page, as the bytes that crossed the network (nothing here decompresses).
async fn pull(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    request: &PullRequest,
    variant: &Variant,
) -> (Vec<u8>, Option<String>) {
    let reply = http
        .post(format!("{base}/api/vault/pull"))
        .header("cookie", cookie)
        .header("content-type", BINARY_WIRE)
        .header("accept", variant.accept)
        .header("accept-encoding", variant.encodings)
        .body(postcard::to_allocvec(request).unwrap())
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success());
    let encoding = reply
        .headers()
        .get("content-encoding")
        .map(|e| e.to_str().unwrap().to_owned());
    (reply.bytes().await.unwrap().to_vec(), encoding)
}
