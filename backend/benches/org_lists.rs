//! The admin lists at scale, against a release server: a company of 5,000 users and a partner
//! of 1,000 companies. Prints the median time of the first page and of a search (request to
//! reply over loopback, so the server's time plus a few hundred microseconds of HTTP), and the
//! time a CSV of 1,000 invitations takes until every mail is queued (the reply: the outbox rows
//! are committed) and until every mail has left. On SQLite, and on PostgreSQL when
//! `STRONGROOM_TEST_POSTGRES_URL` names a server. Asserts nothing about time.
//!
//! ```sh
//! cargo bench -p backend --bench org_lists
//! ```
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::running::{Running, signed_up_profile};
use shared_types::org::{CompanyPage, CompanyView, CsvReport, MemberPage, PartnerView};

const USERS: usize = 5_000;
const COMPANIES: usize = 1_000;
const ROUNDS: usize = 15;

fn main() {
    common::running::bench_on_each_database("org_lists", |database, url| async move {
        run(database, url.as_deref()).await;
    });
}

fn mails_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// The median time of `ROUNDS` GETs of `path`, checking each reply with `check`.
async fn median_get(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
    check: impl Fn(&[u8]),
) -> Duration {
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let reply = http.get(url).header("cookie", cookie).send().await.unwrap();
        assert!(reply.status().is_success(), "{url}: {}", reply.status());
        let body = reply.bytes().await.unwrap();
        times.push(started.elapsed());
        check(&body);
    }
    times.sort();
    times[ROUNDS / 2]
}

async fn run(database: &str, url: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let server = Running::start(dir.path(), url, &http).await;
    let base = &server.base;
    let mail = dir.path().join("data").join("mail");
    let (admin, _) = signed_up_profile(&http, base, &mail, "admin@bench.example").await;
    let company: CompanyView = http
        .post(format!("{base}/api/companies"))
        .header("cookie", &admin)
        .json(&serde_json::json!({ "name": "Bench Co" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // A CSV of 1,000 invitations: until queued (the reply), then until every mail has left.
    let before = mails_in(&mail);
    let file = |from: usize, to: usize| {
        let mut csv = String::from("email,name,role\n");
        for n in from..to {
            csv.push_str(&format!("user{n}@bench.example,User {n},user\n"));
        }
        csv
    };
    let started = Instant::now();
    let report: CsvReport = http
        .post(format!(
            "{base}/api/companies/{}/invitations/csv",
            company.id
        ))
        .header("cookie", &admin)
        .json(&serde_json::json!({ "csv": file(0, 1_000) }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let queued = started.elapsed();
    assert_eq!(report.invited, 1_000);
    while mails_in(&mail) < before + 1_000 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = started.elapsed();
    println!(
        "org_lists [{database}]: CSV of 1,000 invitations: queued in {queued:.0?}, all mails sent in {sent:.0?}"
    );

    // The rest of the 5,000, then the lists once the outbox is quiet.
    let report: CsvReport = http
        .post(format!(
            "{base}/api/companies/{}/invitations/csv",
            company.id
        ))
        .header("cookie", &admin)
        .json(&serde_json::json!({ "csv": file(1_000, USERS - 1) }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report.invited as usize, USERS - 1_001);
    while mails_in(&mail) < before + USERS - 1 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let members = format!("{base}/api/companies/{}/members", company.id);
    let rows = |expected_total: u64| {
        move |body: &[u8]| {
            let page: MemberPage = serde_json::from_slice(body).unwrap();
            assert_eq!(page.total, expected_total);
        }
    };
    let first = median_get(
        &http,
        &format!("{members}?per_page=50"),
        &admin,
        rows(USERS as u64),
    )
    .await;
    let search = median_get(
        &http,
        &format!("{members}?q=user4321&per_page=50"),
        &admin,
        rows(1),
    )
    .await;
    let by_activity = median_get(
        &http,
        &format!("{members}?sort=last_active&dir=desc&per_page=50"),
        &admin,
        rows(USERS as u64),
    )
    .await;
    println!(
        "org_lists [{database}]: company of {USERS} users: first page {first:.1?}, search {search:.1?}, sorted by last activity {by_activity:.1?}"
    );

    // A partner of 1,000 companies.
    let (msp, _) = signed_up_profile(&http, base, &mail, "msp@bench.example").await;
    let partner: PartnerView = http
        .post(format!("{base}/api/partners"))
        .header("cookie", &msp)
        .json(&serde_json::json!({ "name": "Bench MSP" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let companies = format!("{base}/api/partners/{}/companies", partner.id);
    for n in 0..COMPANIES {
        let made = http
            .post(&companies)
            .header("cookie", &msp)
            .json(&serde_json::json!({
                "name": format!("Customer {n:04}"),
                "tier": if n % 3 == 0 { "advanced" } else { "standard" },
                "contact_email": format!("it@customer{n}.example"),
            }))
            .send()
            .await
            .unwrap();
        assert!(made.status().is_success());
    }
    let listed = |expected_total: u64| {
        move |body: &[u8]| {
            let page: CompanyPage = serde_json::from_slice(body).unwrap();
            assert_eq!(page.total, expected_total);
        }
    };
    let first = median_get(
        &http,
        &format!("{companies}?per_page=50"),
        &msp,
        listed(COMPANIES as u64),
    )
    .await;
    let search = median_get(
        &http,
        &format!("{companies}?q=customer%200421"),
        &msp,
        listed(1),
    )
    .await;
    let by_users = median_get(
        &http,
        &format!("{companies}?sort=users&dir=desc&per_page=50"),
        &msp,
        listed(COMPANIES as u64),
    )
    .await;
    println!(
        "org_lists [{database}]: partner of {COMPANIES} companies: first page {first:.1?}, search {search:.1?}, sorted by users {by_users:.1?}"
    );
}
