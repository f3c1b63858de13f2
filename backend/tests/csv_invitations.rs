//! Inviting from a CSV file through the real server: a 10,000-row file with bad rows (each
//! reported, the rest invited), a preview that stores nothing, a wrong header refused whole,
//! and a commit that fails half way leaving nothing behind.
#![allow(clippy::unwrap_used)]

mod common;

use backend::entity::{company_member, mail_outbox};
use common::accounts::Reply;
use common::orgs::snapshot;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use shared_types::CompanyId;
use shared_types::api::ErrorBody;
use shared_types::org::{CompanyRole, CsvReport, CsvRequest, CsvRowResult, MemberRow};

async fn send(
    server: &common::TestServer,
    session: &str,
    company: CompanyId,
    commit: bool,
    csv: &str,
) -> reqwest::Response {
    let path = if commit { "csv" } else { "csv/preview" };
    server
        .client
        .post(server.url(&format!("/api/companies/{company}/invitations/{path}")))
        .header(
            "cookie",
            format!("{}={session}", backend::services::accounts::SESSION_COOKIE),
        )
        .json(&CsvRequest {
            csv: csv.to_owned(),
        })
        .send()
        .await
        .unwrap()
}

on_both_databases! {
    async fn ten_thousand_rows_with_bad_ones_invite_the_rest(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let mut csv = String::from("Email;Name;Role\r\n");
        for n in 0..9_990 {
            csv.push_str(&format!("user{n}@acme.example;User {n};{}\r\n", if n % 100 == 0 { "Admin" } else { "user" }));
        }
        for bad in ["not an address", "two@@acme.example", "user5@acme.example", "USER6@acme.example", "user7@acme.example",
                    "admin@acme.example", "x@acme.example", "y@acme.example", "", "z@acme.example"] {
            let role = if bad.starts_with('x') || bad.starts_with('y') { "owner" } else { "user" };
            csv.push_str(&format!("{bad};Bad;{role}\r\n"));
        }
        let db = server.database().await;
        let before = snapshot(&db).await;
        let preview = send(&server, &admin, company, false, &csv).await;
        assert_eq!(preview.status(), StatusCode::OK);
        let preview: CsvReport = preview.json().await.unwrap();
        assert_eq!((preview.invited, preview.refused, preview.committed), (9_991, 9, false));
        assert_eq!(snapshot(&db).await, before, "a preview stores nothing");
        let reasons: Vec<(u64, String)> = preview
            .rows
            .iter()
            .filter_map(|r| match &r.result {
                CsvRowResult::Refused(reason) => Some((r.line, reason.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(reasons.len(), 9);
        assert!(reasons.contains(&(9_992, "Not an email address.".into())), "{reasons:?}");
        assert!(reasons.contains(&(9_994, "The same address as line 7.".into())), "{reasons:?}");
        assert!(reasons.contains(&(9_997, "Already a member.".into())), "{reasons:?}");
        assert!(reasons.iter().any(|(_, r)| r.contains("\"owner\"")));

        let started = std::time::Instant::now();
        let committed = send(&server, &admin, company, true, &csv).await;
        assert_eq!(committed.status(), StatusCode::OK);
        let committed: CsvReport = committed.json().await.unwrap();
        eprintln!("10,000-row CSV committed in {:?}", started.elapsed());
        assert_eq!((committed.invited, committed.refused, committed.committed), (9_991, 9, true));
        assert_eq!(company_member::Entity::find().count(&db).await.unwrap(), 9_992);
        assert_eq!(mail_outbox::Entity::find().count(&db).await.unwrap(), 9_991);
        let admins = db
            .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) FROM company_member WHERE role = 'admin'"))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        assert_eq!(admins, 1 + 100);

        // The same file again: every row is invited already.
        let again: CsvReport = send(&server, &admin, company, true, &csv).await.json().await.unwrap();
        assert_eq!((again.invited, again.refused), (0, 10_000));
    }

    async fn a_wrong_file_is_refused_whole_and_a_failed_commit_leaves_nothing(server) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let db = server.database().await;
        let before = snapshot(&db).await;
        for (csv, says) in [
            ("Email Address,Full name\na@acme.example,Ann\n", "found: Email Address, Full name"),
            ("", "found: nothing"),
        ] {
            let reply = send(&server, &admin, company, true, csv).await;
            assert_eq!(reply.status(), StatusCode::BAD_REQUEST, "{csv:?}");
            let body: ErrorBody = reply.json().await.unwrap();
            assert!(body.message.contains(says), "{csv:?}: {}", body.message);
        }
        assert_eq!(snapshot(&db).await, before);
        // An unclosed quote swallows the rest of the file into one field: that row is refused.
        let unclosed: CsvReport = send(&server, &admin, company, false, "email,name\n\"a@acme.example,Ann\nb@acme.example,Bob\n").await.json().await.unwrap();
        assert_eq!((unclosed.invited, unclosed.refused), (0, 1));

        // A removed member invited again from a file; a fault injected for that row's mail
        // makes the commit fail after the other rows were written: none of them stays.
        let invited: MemberRow = serde_json::from_value(server.invite(&admin, company, "back@acme.example", CompanyRole::User).await.body).unwrap();
        server.outbox_drained().await;
        let revoked: Reply<MemberRow> = server
            .post(&format!("/api/companies/{company}/members/{}/invitation/revoke", invited.id), &serde_json::json!({}), Some(&admin))
            .await;
        assert_eq!(revoked.status, StatusCode::OK);
        db.execute_unprepared("CREATE UNIQUE INDEX test_fault ON mail_outbox (to_email)").await.unwrap();
        let before = snapshot(&db).await;
        let csv = "email,name\nnew1@acme.example,One\nnew2@acme.example,Two\nback@acme.example,Back\n";
        let failed = send(&server, &admin, company, true, csv).await;
        // The injected fault is a uniqueness violation, answered as a conflict.
        assert_eq!(failed.status(), StatusCode::CONFLICT);
        let body: ErrorBody = failed.json().await.unwrap();
        assert!(body.message.contains("Nothing was changed"), "{}", body.message);
        assert_eq!(snapshot(&db).await, before, "every row or none");
        db.execute_unprepared("DROP INDEX test_fault").await.unwrap();
        let retried: CsvReport = send(&server, &admin, company, true, csv).await.json().await.unwrap();
        assert_eq!(retried.invited, 3);
    }
}

on_both_databases! {
    async fn sign_ups_go_through_while_the_outbox_sends_thousands_of_mails(server, |s| s.ip_limit_multiplier = 100) {
        let (_, admin) = server.signed_up("admin@acme.example", "correct horse").await;
        let company = server.new_direct_company(&admin, "Acme").await.id;
        let mut csv = String::from("email,name\n");
        for n in 0..3_000 {
            csv.push_str(&format!("user{n}@acme.example,User {n}\n"));
        }
        let committed = send(&server, &admin, company, true, &csv).await;
        assert_eq!(committed.status(), StatusCode::OK);
        // While the worker writes to the database for every mail, people keep signing up.
        for round in 0..4 {
            let attempts = (0..5).map(|n| {
                let server = &server;
                async move {
                    let (request, _) = common::accounts::signup_request(&format!("new{round}x{n}@example.com"), "pw");
                    let reply: Reply<serde_json::Value> = server.post("/api/accounts", &request, None).await;
                    (reply.status, reply.body)
                }
            });
            for (status, body) in futures_util::future::join_all(attempts).await {
                assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            }
        }
    }
}
