//! Outgoing email through lettre: SMTP in production (`smtp_url`), and by default lettre's file
//! transport, which writes each message as an `.eml` file under `<data_dir>/mail`. Both go
//! through the same message building and sending code, so there is no path that skips mailing;
//! the run command's users and the tests read the files.

use std::path::{Path, PathBuf};

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The recipient is not a valid address.
    #[error("not a valid email address")]
    Address,
    /// The message could not be built.
    #[error("cannot build the message: {0}")]
    Build(#[source] lettre::error::Error),
    /// The transport refused or failed.
    #[error("cannot send the message: {0}")]
    Send(String),
    /// The mail folder could not be created.
    #[error("cannot create the mail folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

#[derive(Clone)]
enum Transport {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends Strongroom's messages.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

/// An outgoing message: plain text, written for a person.
#[derive(Clone)]
pub struct Mail {
    /// Subject line.
    pub subject: String,
    /// Body text.
    pub body: String,
}

// A message may carry a one-time code: never print its body.
impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mail")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer writing `.eml` files into `folder`.
    pub fn to_folder(folder: &Path, from: Mailbox) -> Result<Self, MailError> {
        std::fs::create_dir_all(folder).map_err(|source| MailError::Folder {
            path: folder.to_owned(),
            source,
        })?;
        Ok(Self {
            transport: Transport::File(AsyncFileTransport::new(folder)),
            from,
        })
    }

    /// A mailer sending through the SMTP server in `url` (`smtp://`, `smtps://`, with
    /// credentials and `?tls=required` as lettre understands them).
    pub fn smtp(url: &str, from: Mailbox) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Send(e.to_string()))?
            .build();
        Ok(Self {
            transport: Transport::Smtp(transport),
            from,
        })
    }

    /// Sends `mail` to `to`.
    pub async fn send(&self, to: &str, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::Address)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(MailError::Build)?;
        match &self.transport {
            Transport::File(t) => t
                .send(message)
                .await
                .map(drop)
                .map_err(|e| MailError::Send(e.to_string())),
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(drop)
                .map_err(|e| MailError::Send(e.to_string())),
        }
    }
}

/// Reading the file transport's messages: for the tests and for people using the run command.
pub mod sink {
    use std::path::{Path, PathBuf};

    /// A message found in the mail folder.
    #[derive(Debug, Clone)]
    pub struct Received {
        /// The file.
        pub path: PathBuf,
        /// The recipient's address, as written in the `To:` header.
        pub to: String,
        /// The subject.
        pub subject: String,
        /// The decoded body.
        pub body: String,
    }

    /// Every message in `folder`, oldest first.
    pub fn read_all(folder: &Path) -> std::io::Result<Vec<Received>> {
        let mut entries: Vec<_> = match std::fs::read_dir(folder) {
            Ok(dir) => dir.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        entries.retain(|p| p.extension().is_some_and(|ext| ext == "eml"));
        let mut found = Vec::new();
        for path in entries {
            let modified = std::fs::metadata(&path)?.modified()?;
            let raw = std::fs::read_to_string(&path)?;
            found.push((modified, parse(path, &raw)));
        }
        found.sort_by_key(|(modified, _)| *modified);
        Ok(found.into_iter().map(|(_, m)| m).collect())
    }

    fn parse(path: PathBuf, raw: &str) -> Received {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
        let header = |name: &str| {
            head.lines()
                .find_map(|line| line.strip_prefix(name))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let encoding = header("Content-Transfer-Encoding: ").to_ascii_lowercase();
        let body = match encoding.as_str() {
            "quoted-printable" => decode_quoted_printable(body),
            "base64" => decode_base64(body),
            _ => body.to_owned(),
        };
        Received {
            path,
            to: header("To: "),
            subject: header("Subject: "),
            body: body.replace("\r\n", "\n"),
        }
    }

    fn decode_base64(text: &str) -> String {
        use base64::Engine as _;
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_else(|_| text.to_owned())
    }

    fn decode_quoted_printable(text: &str) -> String {
        let joined = text.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let escaped = (bytes[i] == b'=')
                .then(|| bytes.get(i + 1..i + 3))
                .flatten()
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            match escaped {
                Some(v) => {
                    out.push(v);
                    i += 3;
                }
                None => {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn the_file_transport_writes_a_message_the_sink_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::to_folder(
            dir.path(),
            "Strongroom <no-reply@strongroom.test>".parse().unwrap(),
        )
        .unwrap();
        let long_line = "é".repeat(60);
        let plain = "A plain line that is longer than seventy-six characters, so lettre must wrap or encode it somehow.";
        mailer
            .send(
                "alice@example.com",
                Mail {
                    subject: "Your code".into(),
                    body: format!("Your code is 1234 5678.\n{long_line}\n"),
                },
            )
            .await
            .unwrap();
        mailer
            .send(
                "bob@example.com",
                Mail {
                    subject: "Plain".into(),
                    body: format!("{plain}\n"),
                },
            )
            .await
            .unwrap();
        let received = sink::read_all(dir.path()).unwrap();
        assert_eq!(received.len(), 2);
        let plain_mail = received.iter().find(|m| m.to == "bob@example.com").unwrap();
        assert!(plain_mail.body.contains(plain), "{}", plain_mail.body);
        let received: Vec<_> = received
            .into_iter()
            .filter(|m| m.to == "alice@example.com")
            .collect();
        assert_eq!(received[0].to, "alice@example.com");
        assert_eq!(received[0].subject, "Your code");
        assert!(
            received[0].body.contains("Your code is 1234 5678."),
            "{}",
            received[0].body
        );
        assert!(
            received[0].body.contains(&long_line),
            "{}",
            received[0].body
        );
    }

    #[tokio::test]
    async fn a_bad_address_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::to_folder(dir.path(), "x@strongroom.test".parse().unwrap()).unwrap();
        let err = mailer
            .send(
                "not an address",
                Mail {
                    subject: "s".into(),
                    body: "b".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Address));
    }

    #[test]
    fn mail_debug_hides_the_body() {
        let mail = Mail {
            subject: "Code".into(),
            body: "secret 1234".into(),
        };
        assert!(!format!("{mail:?}").contains("1234"));
    }
}
