//! Server configuration: built-in defaults, then an optional TOML file, then environment
//! variables. Every value is checked at start-up; a bad one stops the server with a message that
//! names the setting and says what is expected.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The configuration file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML or has unknown or mistyped settings.
    #[error("the configuration file {path} is invalid: {message}")]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// One setting has a value that cannot be used.
    #[error("invalid setting `{setting}` (environment variable {env}): {message}")]
    Invalid {
        /// The setting's name in the TOML file.
        setting: &'static str,
        /// The matching environment variable.
        env: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
}

/// The server's configuration, after defaults, file and environment are applied.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on.
    pub bind: String,
    /// Folder for the SQLite database and the local mail sink.
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; empty means the SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Folder holding the built web app (`trunk build` output).
    pub static_dir: PathBuf,
    /// Log filter, in `tracing-subscriber` `EnvFilter` syntax.
    pub log: String,
    /// The sender of Strongroom's email, e.g. `Strongroom <no-reply@example.com>`.
    pub mail_from: String,
    /// Multiplies every per-IP rate limit (sign-up, prelogin, login, code entry), e.g. for an
    /// office where many people share one address. Per-account limits do not change.
    pub ip_limit_multiplier: u32,
    /// Addresses of reverse proxies whose `X-Forwarded-For` header is believed; the client's
    /// address is then the nearest one in that header that is not a trusted proxy.
    pub trusted_proxies: Vec<String>,
    /// SMTP server for outgoing mail (`smtps://user:password@host`); empty means the messages are
    /// written as `.eml` files into `<data_dir>/mail`.
    pub smtp_url: Option<String>,
    /// Address and port for `GET /metrics` (Prometheus); empty means no metrics are served. Never
    /// served on `bind`, so the public address does not show them.
    pub metrics_bind: Option<String>,
    /// The address people open Strongroom at (e.g. `https://vault.example.com`), for links in
    /// email; empty means `http://` and the listening address, which suits a local run only.
    /// Must be `https://` unless the host is this machine.
    pub public_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            static_dir: PathBuf::from("dist"),
            log: "info".to_owned(),
            ip_limit_multiplier: 1,
            trusted_proxies: Vec::new(),
            mail_from: "Strongroom <no-reply@strongroom.localhost>".to_owned(),
            smtp_url: None,
            metrics_bind: None,
            public_url: None,
        }
    }
}

// The database URL can carry a password: never print it.
impl core::fmt::Debug for Settings {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "(set, not shown)"),
            )
            .field("static_dir", &self.static_dir)
            .field("log", &self.log)
            .field("ip_limit_multiplier", &self.ip_limit_multiplier)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("mail_from", &self.mail_from)
            .field(
                "smtp_url",
                &self.smtp_url.as_ref().map(|_| "(set, not shown)"),
            )
            .field("public_url", &self.public_url)
            .field("metrics_bind", &self.metrics_bind)
            .finish()
    }
}

/// The database the settings point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// The embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server.
    Postgres(String),
}

impl Settings {
    /// Defaults, then `file` (if given), then the environment variables in `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let mut settings = match file {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        let env: std::collections::HashMap<String, String> = env.into_iter().collect();
        let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).cloned();
        if let Some(value) = var("STRONGROOM_BIND") {
            settings.bind = value;
        }
        if let Some(value) = var("STRONGROOM_DATA_DIR") {
            settings.data_dir = PathBuf::from(value);
        }
        // The Strongroom-specific name wins over the generic one when both are set.
        if let Some(value) = var("STRONGROOM_DATABASE_URL").or_else(|| var("DATABASE_URL")) {
            settings.database_url = Some(value);
        }
        if let Some(value) = var("STRONGROOM_STATIC_DIR") {
            settings.static_dir = PathBuf::from(value);
        }
        if let Some(value) = var("STRONGROOM_LOG") {
            settings.log = value;
        }
        if let Some(value) = var("STRONGROOM_IP_LIMIT_MULTIPLIER") {
            settings.ip_limit_multiplier = value.parse().map_err(|_| SettingsError::Invalid {
                setting: "ip_limit_multiplier",
                env: "STRONGROOM_IP_LIMIT_MULTIPLIER",
                message: format!("`{value}` is not a whole number"),
            })?;
        }
        if let Some(value) = var("STRONGROOM_TRUSTED_PROXIES") {
            settings.trusted_proxies = value
                .split(',')
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect();
        }
        if let Some(value) = var("STRONGROOM_MAIL_FROM") {
            settings.mail_from = value;
        }
        if let Some(value) = var("STRONGROOM_SMTP_URL") {
            settings.smtp_url = Some(value);
        }
        if let Some(value) = var("STRONGROOM_METRICS_BIND") {
            settings.metrics_bind = Some(value);
        }
        if let Some(value) = var("STRONGROOM_PUBLIC_URL") {
            settings.public_url = Some(value);
        }
        settings.validate()?;
        Ok(settings)
    }

    fn from_file(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| SettingsError::ParseFile {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
    }

    /// Checks every value.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.bind_addr()?;
        self.metrics_addr()?;
        self.database()?;
        if self.data_dir.as_os_str().is_empty() {
            return Err(SettingsError::Invalid {
                setting: "data_dir",
                env: "STRONGROOM_DATA_DIR",
                message: "must name a folder".to_owned(),
            });
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log).is_err() {
            return Err(SettingsError::Invalid {
                setting: "log",
                env: "STRONGROOM_LOG",
                message: format!(
                    "`{}` is not a log filter such as `info` or `backend=debug`",
                    self.log
                ),
            });
        }
        self.mail_from()?;
        if !(1..=10_000).contains(&self.ip_limit_multiplier) {
            return Err(SettingsError::Invalid {
                setting: "ip_limit_multiplier",
                env: "STRONGROOM_IP_LIMIT_MULTIPLIER",
                message: "must be between 1 and 10000".to_owned(),
            });
        }
        self.trusted_proxies()?;
        self.public_url_checked()?;
        if let Some(url) = &self.smtp_url {
            lettre::transport::smtp::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
                .map_err(|_| SettingsError::Invalid {
                    setting: "smtp_url",
                    env: "STRONGROOM_SMTP_URL",
                    message: "must be a URL such as smtps://user:password@mail.example.com or smtp://mail.example.com:587?tls=required".to_owned(),
                })?;
        }
        Ok(())
    }

    /// The configured public address without its trailing `/`, checked: an `https://` URL, or
    /// `http://` for this machine only (links in email must not travel in clear text).
    pub fn public_url_checked(&self) -> Result<Option<String>, SettingsError> {
        let Some(url) = &self.public_url else {
            return Ok(None);
        };
        let url = url.trim().trim_end_matches('/');
        let invalid = |message: &str| SettingsError::Invalid {
            setting: "public_url",
            env: "STRONGROOM_PUBLIC_URL",
            message: message.to_owned(),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| invalid("must be a URL such as https://vault.example.com"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        // The host without its port; an IPv6 address keeps its brackets.
        let name = if host.starts_with('[') {
            host.split_inclusive(']').next().unwrap_or_default()
        } else {
            host.split(':').next().unwrap_or_default()
        };
        if name.is_empty() || rest.contains(['?', '#', ' ']) || host.contains('@') {
            return Err(invalid(
                "must be a URL such as https://vault.example.com, without a query or user",
            ));
        }
        let local = matches!(name, "localhost" | "127.0.0.1" | "[::1]");
        match scheme {
            "https" => {}
            "http" if local => {}
            "http" => {
                return Err(invalid(
                    "must start with https:// (email links must not travel in clear text); http:// is allowed for localhost only",
                ));
            }
            _ => return Err(invalid("must start with https://")),
        }
        Ok(Some(url.to_owned()))
    }

    /// The trusted proxies' addresses.
    pub fn trusted_proxies(&self) -> Result<Vec<std::net::IpAddr>, SettingsError> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                p.parse().map_err(|_| SettingsError::Invalid {
                    setting: "trusted_proxies",
                    env: "STRONGROOM_TRUSTED_PROXIES",
                    message: format!("`{p}` is not an IP address"),
                })
            })
            .collect()
    }

    /// The sender address of outgoing mail.
    pub fn mail_from(&self) -> Result<lettre::message::Mailbox, SettingsError> {
        self.mail_from.parse().map_err(|_| SettingsError::Invalid {
            setting: "mail_from",
            env: "STRONGROOM_MAIL_FROM",
            message: format!(
                "`{}` is not a sender such as `Strongroom <no-reply@example.com>`",
                self.mail_from
            ),
        })
    }

    /// The folder the file transport writes messages to when no SMTP server is set.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// The address to listen on.
    pub fn bind_addr(&self) -> Result<SocketAddr, SettingsError> {
        self.bind.parse().map_err(|_| SettingsError::Invalid {
            setting: "bind",
            env: "STRONGROOM_BIND",
            message: format!(
                "`{}` is not an address and port such as 127.0.0.1:8080",
                self.bind
            ),
        })
    }

    /// Where `GET /metrics` is served, if anywhere.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, SettingsError> {
        let Some(bind) = &self.metrics_bind else {
            return Ok(None);
        };
        let addr: SocketAddr = bind.parse().map_err(|_| SettingsError::Invalid {
            setting: "metrics_bind",
            env: "STRONGROOM_METRICS_BIND",
            message: format!("`{bind}` is not an address and port such as 127.0.0.1:9090"),
        })?;
        if self.bind_addr().is_ok_and(|main| main == addr) {
            return Err(SettingsError::Invalid {
                setting: "metrics_bind",
                env: "STRONGROOM_METRICS_BIND",
                message: "must differ from `bind`: metrics are not for the public address"
                    .to_owned(),
            });
        }
        Ok(Some(addr))
    }

    /// The database to use.
    pub fn database(&self) -> Result<DatabaseTarget, SettingsError> {
        let Some(url) = &self.database_url else {
            return Ok(DatabaseTarget::Sqlite(self.data_dir.join("strongroom.db")));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseTarget::Postgres(url.clone()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.contains('?') {
                return Err(SettingsError::Invalid {
                    setting: "database_url",
                    env: "DATABASE_URL",
                    message: "options after '?' in a sqlite:// URL are not supported; Strongroom sets the SQLite options itself".to_owned(),
                });
            }
            if path.is_empty() {
                return Err(SettingsError::Invalid {
                    setting: "database_url",
                    env: "DATABASE_URL",
                    message: "a sqlite:// URL must name a file, e.g. sqlite://data/strongroom.db"
                        .to_owned(),
                });
            }
            Ok(DatabaseTarget::Sqlite(PathBuf::from(path)))
        } else {
            Err(SettingsError::Invalid {
                setting: "database_url",
                env: "DATABASE_URL",
                message: "must start with postgres://, postgresql:// or sqlite://".to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_listen_on_loopback_with_sqlite_in_the_data_folder() {
        let s = Settings::load(None, env(&[])).unwrap();
        assert_eq!(s.bind_addr().unwrap().to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database().unwrap(),
            DatabaseTarget::Sqlite(PathBuf::from("data/strongroom.db"))
        );
    }

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("strongroom.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:9000\"\nlog = \"debug\"\n").unwrap();
        let s = Settings::load(Some(&path), env(&[("STRONGROOM_LOG", "warn")])).unwrap();
        assert_eq!(s.bind, "127.0.0.1:9000");
        assert_eq!(s.log, "warn");
        let s = Settings::load(Some(&path), env(&[("DATABASE_URL", "postgres://u@h/db")])).unwrap();
        assert_eq!(
            s.database().unwrap(),
            DatabaseTarget::Postgres("postgres://u@h/db".into())
        );
    }

    #[test]
    fn the_public_url_must_be_https_unless_it_is_this_machine() {
        let url = |value: &str| {
            Settings::load(None, env(&[("STRONGROOM_PUBLIC_URL", value)]))
                .map(|s| s.public_url_checked().unwrap().unwrap())
        };
        assert_eq!(
            url("https://vault.example.com/").unwrap(),
            "https://vault.example.com"
        );
        assert_eq!(
            url("https://vault.example.com:8443/sr").unwrap(),
            "https://vault.example.com:8443/sr"
        );
        assert_eq!(
            url("http://localhost:8080").unwrap(),
            "http://localhost:8080"
        );
        assert_eq!(
            url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(url("http://[::1]:8080").unwrap(), "http://[::1]:8080");
        assert_eq!(url("http://[::1]").unwrap(), "http://[::1]");
        for bad in [
            "http://vault.example.com",
            "http://localhost.example.com",
            "ftp://vault.example.com",
            "vault.example.com",
            "https://",
            "https://vault.example.com/?next=x",
            "https://user@vault.example.com",
        ] {
            let err = url(bad).unwrap_err().to_string();
            assert!(err.contains("STRONGROOM_PUBLIC_URL"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_bad_value_names_the_setting() {
        let err = Settings::load(None, env(&[("STRONGROOM_BIND", "localhost")])).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`bind`") && text.contains("STRONGROOM_BIND"),
            "{text}"
        );
        let err = Settings::load(None, env(&[("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(err.to_string().contains("`database_url`"), "{err}");
        let err = Settings::load(None, env(&[("DATABASE_URL", "sqlite://data/x.db?mode=ro")]))
            .unwrap_err();
        assert!(err.to_string().contains("not supported"), "{err}");
        let err = Settings::load(None, env(&[("STRONGROOM_LOG", "backend=loud")])).unwrap_err();
        assert!(err.to_string().contains("`log`"), "{err}");
        let err = Settings::load(
            None,
            env(&[("STRONGROOM_TRUSTED_PROXIES", "10.0.0.1, proxy")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`trusted_proxies`"), "{err}");
        let err =
            Settings::load(None, env(&[("STRONGROOM_IP_LIMIT_MULTIPLIER", "0")])).unwrap_err();
        assert!(err.to_string().contains("`ip_limit_multiplier`"), "{err}");
        let ok = Settings::load(
            None,
            env(&[("STRONGROOM_TRUSTED_PROXIES", "10.0.0.1, ::1")]),
        )
        .unwrap();
        assert_eq!(ok.trusted_proxies().unwrap().len(), 2);
        let err = Settings::load(None, env(&[("STRONGROOM_MAIL_FROM", "nobody")])).unwrap_err();
        assert!(err.to_string().contains("`mail_from`"), "{err}");
        let err =
            Settings::load(None, env(&[("STRONGROOM_SMTP_URL", "mail.example.com")])).unwrap_err();
        assert!(err.to_string().contains("`smtp_url`"), "{err}");
    }

    #[test]
    fn unknown_or_mistyped_settings_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("strongroom.toml");
        std::fs::write(&path, "bnid = \"127.0.0.1:9000\"\n").unwrap();
        let err = Settings::load(Some(&path), env(&[])).unwrap_err();
        assert!(err.to_string().contains("bnid"), "{err}");
        std::fs::write(&path, "bind = 9000\n").unwrap();
        assert!(matches!(
            Settings::load(Some(&path), env(&[])),
            Err(SettingsError::ParseFile { .. })
        ));
    }

    #[test]
    fn debug_output_hides_the_database_url() {
        let s =
            Settings::load(None, env(&[("DATABASE_URL", "postgres://u:hunter2@h/db")])).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
