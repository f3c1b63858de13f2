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
//! On PostgreSQL it measures twice: on this machine, and with every byte between the server
//! and the database held back 1 ms each way (see [`far_away`]). On this 2-core machine the
//! benchmark's clients, the server and PostgreSQL share the CPU, so the first is bounded by
//! CPU per push (printed after each result); the second shows what waiting on the network
//! with a lock held costs, as in a deployment with the database on another host.
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

use common::running::{Running, cpu_time, cpu_time_of_all, signed_up_profile};
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
            for database in ["sqlite", "postgres", "postgres, 2 ms away"] {
                if database != "sqlite" && !postgres {
                    continue;
                }
                for (name, bin) in &bins {
                    let url = match database {
                        "sqlite" => None,
                        "postgres" => common::fresh_postgres_url().await,
                        _ => Some(far_away(common::fresh_postgres_url().await.unwrap()).await),
                    };
                    let result = measure(bin, url.as_deref()).await;
                    println!("round {round} · {database} · {name}: {result}");
                }
            }
        }
    });
}

/// The one-way delay of [`far_away`]'s network: a database in another availability zone is
/// 1–2 ms away. (Tokio's timers count whole milliseconds, so this is as fine as it gets.)
const ONE_WAY: Duration = Duration::from_millis(1);

/// `url` with its host replaced by a local relay that holds every byte for [`ONE_WAY`] in
/// each direction, as a network between the server and its database would: each statement
/// then costs a round trip, and a push that holds a lock across several of them holds it
/// that much longer. Measures what a single lock for every push cost in a real deployment,
/// which one machine running everything cannot show.
async fn far_away(url: String) -> String {
    let (head, rest) = url.split_once('@').unwrap();
    let (upstream, database) = rest.split_once('/').unwrap();
    let upstream = upstream.to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((inbound, _)) = listener.accept().await {
            let outbound = tokio::net::TcpStream::connect(&upstream).await.unwrap();
            inbound.set_nodelay(true).unwrap();
            outbound.set_nodelay(true).unwrap();
            let (from_server, to_server) = inbound.into_split();
            let (from_database, to_database) = outbound.into_split();
            tokio::spawn(delayed(from_server, to_database));
            tokio::spawn(delayed(from_database, to_server));
        }
    });
    format!("{head}@{relay}/{database}")
}

/// Copies `from` to `to`, each chunk [`ONE_WAY`] after it arrived, in order, without
/// holding up the chunks behind it (a delay, not a narrower pipe).
async fn delayed(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((arrived, bytes)) = receiver.recv().await {
            tokio::time::sleep_until((arrived + ONE_WAY).into()).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
    });
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(n) = from.read(&mut buffer).await {
        if n == 0 || sender.send((Instant::now(), buffer[..n].to_vec())).is_err() {
            return;
        }
    }
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

    let pid = server.child.id().to_string();
    let cpu_before = (
        cpu_time(&pid),
        cpu_time_of_all("postgres"),
        cpu_time("self"),
    );
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
    // Where the machine's CPU went: the server, the database (nothing on SQLite: it runs inside
    // the server) and this benchmark's own clients.
    let cpu_per_push = |before: Duration, after: Duration| {
        (after - before).as_secs_f64() * 1e3 / (ACCOUNTS * PUSHES) as f64
    };
    let cpu = format!(
        "CPU per push: server {:.2} ms · PostgreSQL {:.2} ms · clients {:.2} ms",
        cpu_per_push(cpu_before.0, cpu_time(&pid)),
        cpu_per_push(cpu_before.1, cpu_time_of_all("postgres")),
        cpu_per_push(cpu_before.2, cpu_time("self")),
    );
    drop(server);
    let mut sorted = latencies;
    sorted.sort();
    let at = |p: f64| sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)];
    format!(
        "{:.0} pushes/s ({} pushes in {:.2} s) · latency p50 {:.1} ms · p90 {:.1} ms · p99 {:.1} ms\n    {cpu}",
        sorted.len() as f64 / wall.as_secs_f64(),
        sorted.len(),
        wall.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
    )
}
