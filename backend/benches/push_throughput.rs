//! Push throughput: 200 accounts, each pushing 10 changes one after another, all at the same
//! time, against a release server on SQLite and on PostgreSQL. Prints pushes per second and
//! the latency percentiles of one push; asserts nothing about time.
//!
//! Builds are compared in the same run, alternating, because this machine's speed drifts:
//!
//! ```sh
//! cargo build --release -p backend
//! STRONGROOM_BENCH_BINS="old=/path/to/old/strongroom,new=$CARGO_TARGET_DIR/release/strongroom" \
//! STRONGROOM_TEST_POSTGRES_URL=$(scripts/local-postgres.sh) \
//!   cargo bench -p backend --bench push_throughput
//! ```
//!
//! Without `STRONGROOM_BENCH_BINS` it measures this build's binary (as built for the bench, so
//! build it in release first). Without `STRONGROOM_TEST_POSTGRES_URL` it measures SQLite only.
//! Pushes carry the profile's id as the container id, which the server before containers read
//! as the profile, so the same requests measure either build.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::running::{Running, signed_up_profile};
use common::vault::new_item;
use futures_util::future::join_all;
use shared_types::vault::{PushRequest, PushResponse};

const ACCOUNTS: usize = 200;
const PUSHES: usize = 10;
const ROUNDS: usize = 2;

fn main() {
    // `cargo test --all-targets` runs benches too, without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("push_throughput: run it with `cargo bench -p backend --bench push_throughput`");
        return;
    }
    let bins: Vec<(String, PathBuf)> = match std::env::var("STRONGROOM_BENCH_BINS") {
        Ok(list) => list
            .split(',')
            .map(|pair| {
                let (name, path) = pair.split_once('=').expect("name=path");
                (name.to_owned(), PathBuf::from(path))
            })
            .collect(),
        Err(_) => vec![(
            "this build".to_owned(),
            env!("CARGO_BIN_EXE_strongroom").into(),
        )],
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let postgres = std::env::var("STRONGROOM_TEST_POSTGRES_URL").is_ok();
        for round in 1..=ROUNDS {
            for database in ["sqlite", "postgres"] {
                if database == "postgres" && !postgres {
                    continue;
                }
                for (name, bin) in &bins {
                    let url = match database {
                        "postgres" => common::fresh_postgres_url().await,
                        _ => None,
                    };
                    let result = measure(bin, url.as_deref()).await;
                    println!("round {round} · {database} · {name}: {result}");
                }
            }
        }
    });
}

async fn measure(bin: &std::path::Path, database_url: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let server = Running::start_binary(bin, dir.path(), database_url, &http).await;
    let mail = dir.path().join("data").join("mail");
    let mut accounts = Vec::with_capacity(ACCOUNTS);
    // Sign-ups one at a time: they are not what is measured (and the release before
    // containers answered some concurrent sign-ups on SQLite with a 500).
    for n in 0..ACCOUNTS {
        let email = format!("bench{n}@example.com");
        accounts.push(signed_up_profile(&http, &server.base, &mail, &email).await);
    }

    let started = Instant::now();
    let latencies: Vec<Duration> = join_all(accounts.iter().map(|(cookie, container)| {
        let (http, base) = (&http, &server.base);
        async move {
            let mut times = Vec::with_capacity(PUSHES);
            for _ in 0..PUSHES {
                let request = PushRequest {
                    changes: vec![new_item(*container)],
                };
                let sent = Instant::now();
                let reply: PushResponse = http
                    .post(format!("{base}/api/vault/push"))
                    .header("cookie", cookie)
                    .json(&request)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                times.push(sent.elapsed());
                assert_eq!(reply.accepted.len(), 1, "every push is stored");
            }
            times
        }
    }))
    .await
    .into_iter()
    .flatten()
    .collect();
    let wall = started.elapsed();
    drop(server);
    let mut sorted = latencies;
    sorted.sort();
    let at = |p: f64| sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)];
    format!(
        "{:.0} pushes/s ({} pushes in {:.2} s) · latency p50 {:.1} ms · p90 {:.1} ms · p99 {:.1} ms",
        sorted.len() as f64 / wall.as_secs_f64(),
        sorted.len(),
        wall.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
    )
}
