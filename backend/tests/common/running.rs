//! The real `strongroom` binary run as a child process on a port of its own (to kill it, or
//! to run another build of it), and signing up through its API.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actix_web::rt::time::sleep;
use reqwest::StatusCode;
use shared_types::account::{ConfirmEmailRequest, OneTimeCode};

use super::accounts::{code_in, signup_request};

const PASSWORD: &str = "correct horse battery staple";

/// A `strongroom` binary running as a child process; killed when dropped.
pub struct Running {
    pub child: Child,
    pub base: String,
}

impl Running {
    /// Starts this build's binary on a free port and waits until it answers `/api/health`.
    pub async fn start(dir: &Path, database_url: Option<&str>, http: &reqwest::Client) -> Self {
        Self::start_binary(
            Path::new(env!("CARGO_BIN_EXE_strongroom")),
            dir,
            database_url,
            http,
        )
        .await
    }

    /// Starts `binary` (another build, e.g. an earlier release's) on a free port, with its data
    /// in `dir`, and waits until it answers `/api/health`. Per-IP limits are scaled for many
    /// accounts signing up from this one address.
    pub async fn start_binary(
        binary: &Path,
        dir: &Path,
        database_url: Option<&str>,
        http: &reqwest::Client,
    ) -> Self {
        let mut failures = Vec::new();
        // Another process may take the free port before the server binds it: try another.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut command = Command::new(binary);
            for (name, _) in std::env::vars_os() {
                let text = name.to_string_lossy();
                if text.starts_with("STRONGROOM_") || text == "DATABASE_URL" {
                    command.env_remove(&name);
                }
            }
            command
                .env("STRONGROOM_BIND", format!("127.0.0.1:{port}"))
                .env("STRONGROOM_DATA_DIR", dir.join("data"))
                .env("STRONGROOM_STATIC_DIR", dir.join("dist"))
                .env("STRONGROOM_LOG", "warn")
                .env("STRONGROOM_IP_LIMIT_MULTIPLIER", "10000")
                .stdout(Stdio::null());
            if let Some(url) = database_url {
                command.env("DATABASE_URL", url);
            }
            let mut running = Self {
                child: command.spawn().unwrap(),
                base: format!("http://127.0.0.1:{port}"),
            };
            match running.wait_until_up(http).await {
                Ok(()) => return running,
                Err(failure) => failures.push(failure),
            }
        }
        panic!("the server did not start: {failures:?}");
    }

    async fn wait_until_up(&mut self, http: &reqwest::Client) -> Result<(), String> {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Err(format!("it exited ({status})"));
            }
            let health = http.get(format!("{}/api/health", self.base)).send().await;
            if health.is_ok_and(|res| res.status() == StatusCode::OK) {
                return Ok(());
            }
            sleep(Duration::from_millis(50)).await;
        }
        Err("no answer within 30 s".to_owned())
    }

    /// SIGKILL: no chance to finish a request, close a connection or flush anything.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Already dead after `kill`; otherwise a failed test must not leave it running.
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Signs up through the API of a server running elsewhere, reading the code from its mail
/// folder; returns the session token.
pub async fn sign_up(http: &reqwest::Client, base: &str, mail_dir: &Path, email: &str) -> String {
    let (request, user) = signup_request(email, PASSWORD);
    let res = http
        .post(format!("{base}/api/accounts"))
        .json(&request)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "{}",
        res.text().await.unwrap()
    );
    let mail = backend::mail::sink::read_all(mail_dir).unwrap();
    let code = mail
        .iter()
        .rev()
        .find(|m| m.to == email)
        .and_then(|m| code_in(&m.body))
        .expect("a code mailed to the user");
    let confirm = ConfirmEmailRequest {
        email: email.to_owned(),
        code: OneTimeCode(code),
        device: user.device,
    };
    let res = http
        .post(format!("{base}/api/accounts/confirm"))
        .json(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let prefix = format!("{}=", backend::services::accounts::SESSION_COOKIE);
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&prefix))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// Signs up `email` on the server at `base` and returns its session cookie (as a `Cookie`
/// header value) and the container of its first profile.
pub async fn signed_up_profile(
    http: &reqwest::Client,
    base: &str,
    mail_dir: &Path,
    email: &str,
) -> (String, shared_types::ContainerId) {
    let session = sign_up(http, base, mail_dir, email).await;
    let cookie = format!("{}={session}", backend::services::accounts::SESSION_COOKIE);
    let bundle: shared_types::account::AccountBundle = http
        .get(format!("{base}/api/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let container = shared_types::ContainerId::from(bundle.keys.profiles[0].id);
    (cookie, container)
}

/// The CPU time (user and system) process `pid` has used so far (`"self"` for this one).
pub fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let Some((_, rest)) = stat.rsplit_once(") ") else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 =
        fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse::<u64>().unwrap_or(0);
    // Linux counts in USER_HZ, 100 per second.
    Duration::from_millis(ticks * 10)
}

/// The CPU time used so far by every process named `name` (e.g. all of PostgreSQL's).
pub fn cpu_time_of_all(name: &str) -> Duration {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name)
        })
        .map(|pid| cpu_time(&pid))
        .sum()
}

/// A benchmark's `main`: says how to run it unless `cargo bench` runs it, then runs `run` on
/// SQLite, and on PostgreSQL when `STRONGROOM_TEST_POSTGRES_URL` names a server (with the
/// database's name and URL).
pub fn bench_on_each_database<Fut: std::future::Future<Output = ()>>(
    name: &str,
    run: impl Fn(&'static str, Option<String>) -> Fut,
) {
    if !std::env::args().any(|a| a == "--bench") {
        println!("{name}: run it with `cargo bench -p backend --bench {name}`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        run("SQLite", None).await;
        if std::env::var("STRONGROOM_TEST_POSTGRES_URL").is_ok() {
            let url = super::fresh_postgres_url().await.unwrap();
            run("PostgreSQL", Some(url)).await;
        }
    });
}
