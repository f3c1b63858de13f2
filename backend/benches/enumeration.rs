//! Does the time a reply takes tell whether an address has an account? Against a release
//! server, alternating in every round between an address with a confirmed account and one
//! without (and which goes first), this times a sign-up, an email confirmation with a wrong code
//! and a sign-in with a wrong password from a new browser, and prints each one's median for both
//! kinds of address and their difference. Every address is used once per step, so no limit
//! answers instead. On SQLite, and on PostgreSQL when `STRONGROOM_TEST_POSTGRES_URL` names a
//! server. Asserts nothing about time.
//!
//! ```sh
//! cargo bench -p backend --bench enumeration
//! ```
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::accounts::{device, signup_request};
use common::running::{Running, signed_up_profile};
use shared_types::account::{AuthKeyProof, ConfirmEmailRequest, LoginRequest, OneTimeCode};
use shared_types::{AccountId, ProfileId};

const ROUNDS: usize = 41;

fn main() {
    common::running::bench_on_each_database("enumeration", |database, url| async move {
        run(database, url.as_deref()).await;
    });
}

/// Times one POST; the reply must have `status`.
async fn timed(
    http: &reqwest::Client,
    url: &str,
    body: &impl serde::Serialize,
    status: u16,
) -> Duration {
    let started = Instant::now();
    let reply = http.post(url).json(body).send().await.unwrap();
    let got = reply.status().as_u16();
    let _ = reply.bytes().await.unwrap();
    let took = started.elapsed();
    assert_eq!(got, status, "{url}");
    took
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

async fn run(database: &str, url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let server = Running::start(dir.path(), url, &http).await;
    let base = &server.base;
    let mail = dir.path().join("data").join("mail");
    // Addresses of one length for both kinds, so that no reply differs in size either.
    let taken: Vec<String> = (0..ROUNDS)
        .map(|n| format!("taken{n:03}@bench.example"))
        .collect();
    // Free for the sign-up; never signed up for the other steps (a sign-up just made has a code
    // waiting, which is another question).
    let free: Vec<String> = (0..ROUNDS)
        .map(|n| format!("freee{n:03}@bench.example"))
        .collect();
    let never: Vec<String> = (0..ROUNDS)
        .map(|n| format!("never{n:03}@bench.example"))
        .collect();
    for email in &taken {
        signed_up_profile(&http, base, &mail, email).await;
    }
    // One request's keys (deriving is the browser's work, not timed), with fresh ids each time.
    let (template, user) = signup_request("template@bench.example", "a password for the bench");
    let signup = |email: &str| {
        let mut request = template.clone();
        request.email = email.to_owned();
        request.account_id = AccountId::new_v7();
        for profile in &mut request.keys.profiles {
            profile.id = ProfileId::new_v7();
        }
        request.device = device("Bench browser");
        request
    };
    let confirm = |email: &str| ConfirmEmailRequest {
        email: email.to_owned(),
        code: OneTimeCode("12345678".into()),
        device: device("Bench browser"),
    };
    let mut wrong = user.auth_key.clone();
    wrong[0] ^= 1;
    let login = |email: &str| LoginRequest {
        email: email.to_owned(),
        auth_key: AuthKeyProof(wrong.clone().into()),
        device: device("Bench browser"),
        email_code: None,
        totp_code: None,
        recovery_code: None,
    };

    let steps = [
        "sign-up",
        "confirmation, wrong code",
        "sign-in, wrong password",
    ];
    let mut times = vec![(Vec::new(), Vec::new()); steps.len()];
    for round in 0..ROUNDS {
        let pair = [
            (&taken[round], &taken[round], true),
            (&free[round], &never[round], false),
        ];
        let order: Vec<_> = if round % 2 == 0 {
            pair.to_vec()
        } else {
            pair.iter().rev().copied().collect()
        };
        for (email, other, is_taken) in order {
            let took = [
                timed(&http, &format!("{base}/api/accounts"), &signup(email), 202).await,
                timed(
                    &http,
                    &format!("{base}/api/accounts/confirm"),
                    &confirm(other),
                    401,
                )
                .await,
                timed(&http, &format!("{base}/api/login"), &login(other), 401).await,
            ];
            for (step, took) in took.into_iter().enumerate() {
                let (with, without) = &mut times[step];
                if is_taken {
                    with.push(took)
                } else {
                    without.push(took)
                }
            }
        }
    }
    for (step, (with, without)) in steps.iter().zip(times) {
        let (with, without) = (median(with), median(without));
        let difference = (with.as_secs_f64() / without.as_secs_f64() - 1.0) * 100.0;
        println!(
            "enumeration [{database}] {step}: median {with:.2?} with an account, {without:.2?} without ({difference:+.1} %), {ROUNDS} rounds"
        );
    }
}
