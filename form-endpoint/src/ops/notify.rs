//! Notifying the desk of each new submission: by e-mail (SMTP, `lettre`)
//! and/or a webhook (an HTTP POST of JSON).
//!
//! The notifier is a separate task that **reads the queue file**: it never
//! sits between a submission and its acknowledgement, so a mail server or
//! webhook that is down never loses or delays a submission. Every
//! `poll` it looks for submissions the state log has no `notified` event for
//! (per channel), sends them, and appends a `notified` event for each one
//! sent. On failure it waits and retries, doubling the wait up to
//! `max_backoff`. Submissions older than `max_age` are never notified (so
//! turning notifications on does not mail the whole history).
//!
//! The **e-mail** goes to the desk and contains the whole submission
//! (name, contacts, message). The **webhook** carries no personal data:
//! `{"id","received","desk","topic","lang"}` only.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use ulid::Ulid;

use super::state::{self, Event, EventKind};
use super::view::{SHORT_ID, short_id};
use crate::Error;
use crate::queue::record::Record;

/// SMTP settings (plain SMTP, as to a local relay; no TLS).
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub to: Vec<String>,
}

/// What to notify, and how.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    pub smtp: Option<Smtp>,
    /// `http://host:port/path`.
    pub webhook: Option<String>,
    pub poll: Duration,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    pub max_age: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            smtp: None,
            webhook: None,
            poll: Duration::from_secs(1),
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            max_age: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

impl NotifyConfig {
    pub fn is_enabled(&self) -> bool {
        self.smtp.is_some() || self.webhook.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Email,
    Webhook,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
        }
    }
}

/// The webhook's body: no personal data.
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    pub id: &'a Ulid,
    pub received: &'a str,
    pub desk: &'a str,
    pub topic: &'a str,
    pub lang: &'a str,
}

/// Runs until `shutdown` resolves.
pub async fn run(
    queue: PathBuf,
    config: NotifyConfig,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut channels = Vec::new();
    if config.smtp.is_some() {
        channels.push(Channel::Email);
    }
    if config.webhook.is_some() {
        channels.push(Channel::Webhook);
    }
    let mut backoff = config.first_backoff;
    loop {
        let wait = match pass(&queue, &config, &channels).await {
            Ok(()) => {
                backoff = config.first_backoff;
                config.poll
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_secs = backoff.as_secs(), "notification failed; will retry");
                let w = backoff;
                backoff = (backoff * 2).min(config.max_backoff);
                w
            }
        };
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One pass: notifies what is pending, stops at the first failure.
async fn pass(queue: &Path, config: &NotifyConfig, channels: &[Channel]) -> Result<(), Error> {
    let (records, done) = {
        let queue = queue.to_path_buf();
        tokio::task::spawn_blocking(move || pending(&queue)).await??
    };
    let oldest = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::try_from(config.max_age).unwrap_or_default())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    for record in records {
        if record
            .received
            .parse::<jiff::Timestamp>()
            .is_ok_and(|t| t < oldest)
        {
            continue;
        }
        for &channel in channels {
            if done.contains(&(record.id, channel.as_str())) {
                continue;
            }
            match channel {
                Channel::Email => {
                    if let Some(smtp) = &config.smtp {
                        send_email(smtp, &record).await?;
                    }
                }
                Channel::Webhook => {
                    if let Some(url) = &config.webhook {
                        send_webhook(url, &record).await?;
                    }
                }
            }
            let mut event = Event::new(record.id, EventKind::Notified);
            event.by = Some("notifier".into());
            event.channel = Some(channel.as_str().into());
            let queue = queue.to_path_buf();
            tokio::task::spawn_blocking(move || state::append(&queue, &[event])).await??;
            tracing::info!(id = %record.id, channel = channel.as_str(), "desk notified");
        }
    }
    Ok(())
}

type Done = HashSet<(Ulid, &'static str)>;

fn pending(queue: &Path) -> Result<(Vec<Record>, Done), Error> {
    let mut done = Done::new();
    for e in state::read_events(&crate::queue::rewrite::state_path(queue))? {
        if e.event == EventKind::Notified {
            match e.channel.as_deref() {
                Some("email") => done.insert((e.id, "email")),
                Some("webhook") => done.insert((e.id, "webhook")),
                _ => false,
            };
        }
    }
    let records = crate::queue::read_records(queue)?
        .filter_map(Result::ok)
        .collect();
    Ok((records, done))
}

/// The e-mail to the desk: the whole submission. One-line fields are kept on
/// their line whatever the record holds (a hand-edited or older record could
/// hold a line break that would forge a `Bcc:` or `e-mail:` line).
pub fn email_text(r: &Record) -> (String, String) {
    use crate::fields::one_line;
    let short = short_id(r.id, SHORT_ID);
    let subject = format!(
        "[Sportello] New request {} ({}, {})",
        short,
        one_line(&r.topic),
        one_line(&r.lang)
    );
    let body = format!(
        "A new request arrived through the site's contact form.\n\n\
         id:       {}\nreceived: {} UTC\ndesk:     {}\ntopic:    {}\nlanguage: {}\n\
         name:     {}\ne-mail:   {}\nphone:    {}\n\nmessage:\n{}\n\n\
         Take it in charge with: sportello-forms take {}\n\
         This e-mail holds personal data: do not forward it outside the desk.\n",
        r.id,
        one_line(&r.received),
        one_line(&r.desk),
        one_line(&r.topic),
        one_line(&r.lang),
        one_line(&r.name),
        one_line(r.email.as_deref().unwrap_or("—")),
        one_line(r.phone.as_deref().unwrap_or("—")),
        r.message,
        short,
    );
    (subject, body)
}

async fn send_email(smtp: &Smtp, r: &Record) -> Result<(), Error> {
    use lettre::message::header::ContentType;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let (subject, body) = email_text(r);
    let mut builder = Message::builder()
        .from(
            smtp.from
                .parse()
                .map_err(|e| email_failed(format!("bad --notify-from: {e}")))?,
        )
        .subject(subject)
        .header(ContentType::TEXT_PLAIN);
    for to in &smtp.to {
        builder = builder.to(to
            .parse()
            .map_err(|e| email_failed(format!("bad --notify-to: {e}")))?);
    }
    let message = builder.body(body).map_err(email_failed)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(20)))
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(email_failed)
}

fn email_failed(e: impl std::fmt::Display) -> Error {
    Error::Notify {
        channel: "e-mail",
        reason: e.to_string(),
    }
}

fn webhook_failed(e: impl std::fmt::Display) -> Error {
    Error::Notify {
        channel: "webhook",
        reason: e.to_string(),
    }
}

/// Splits `http://host:port/path` (with `http`'s own URI parser).
pub fn parse_http_url(url: &str) -> Result<(String, u16, String), Error> {
    let problem = |problem| Error::WebhookUrl {
        url: url.to_owned(),
        problem,
    };
    let uri: hyper::Uri = url.parse().map_err(|_| problem("is not an address"))?;
    if uri.scheme_str() != Some("http") {
        return Err(problem(
            "must start with http:// (put a local proxy in front of an https one)",
        ));
    }
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| problem("has no host"))?;
    // `http` keeps an authority whose port is not a u16 (`h:99999`) but
    // gives no port for it: refuse it rather than post to port 80.
    if uri.port().is_none() && uri.authority().is_some_and(|a| a.as_str() != host) {
        return Err(problem("has a port that is not a number from 1 to 65535"));
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Ok((
        host.to_owned(),
        uri.port_u16().unwrap_or(80),
        path.to_owned(),
    ))
}

async fn send_webhook(url: &str, r: &Record) -> Result<(), Error> {
    use http_body_util::{BodyExt as _, Full};
    let (host, port, path) = parse_http_url(url)?;
    let body = serde_json::to_vec(&WebhookBody {
        id: &r.id,
        received: &r.received,
        desk: &r.desk,
        topic: &r.topic,
        lang: &r.lang,
    })?;
    let work = async {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| webhook_failed(format!("{host}:{port} unreachable: {e}")))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(webhook_failed)?;
        tokio::spawn(conn);
        let request = hyper::Request::post(path)
            .header(hyper::header::HOST, format!("{host}:{port}"))
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(Full::new(hyper::body::Bytes::from(body)))
            .map_err(webhook_failed)?;
        let response = sender.send_request(request).await.map_err(webhook_failed)?;
        let status = response.status();
        let _ = response.into_body().collect().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(webhook_failed(format!("answered {status}")))
        }
    };
    tokio::time::timeout(Duration::from_secs(20), work)
        .await
        .map_err(|_| webhook_failed("timed out"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_addresses() {
        let parsed = |url| parse_http_url(url).ok();
        assert_eq!(
            parsed("http://127.0.0.1:9000/hooks/new"),
            Some(("127.0.0.1".into(), 9000, "/hooks/new".into()))
        );
        assert_eq!(
            parsed("http://desk.local"),
            Some(("desk.local".into(), 80, "/".into()))
        );
        for bad in [
            "https://x",
            "http://",
            "http://:80/x",
            "http://h:99999/",
            "desk.local",
            "",
        ] {
            assert!(
                matches!(parse_http_url(bad), Err(Error::WebhookUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn line_breaks_in_one_line_fields_cannot_forge_lines_of_the_email() {
        let r = Record {
            v: 1,
            id: Ulid::from_parts(1, 2),
            received: "2026-01-12T09:30:00.000Z".into(),
            kind: None,
            lang: "it".into(),
            name: "Ana\nBcc: victim@example.org\r\ne-mail:   forged@example.org".into(),
            email: Some("ana@example.org\u{2028}phone: 1".into()),
            phone: None,
            desk: "terni".into(),
            topic: "founding".into(),
            message: "Two\nlines".into(),
            data: Default::default(),
            consent: true,
        };
        let (subject, body) = email_text(&r);
        assert!(!subject.contains('\n'));
        let lines: Vec<&str> = body.lines().collect();
        assert!(!lines.iter().any(|l| l.starts_with("Bcc:")), "{body}");
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("e-mail:")).count(),
            1,
            "{body}"
        );
        assert!(!lines.iter().any(|l| l.starts_with("phone: 1")), "{body}");
        assert!(
            body.contains("name:     Ana Bcc: victim@example.org  e-mail:   forged@example.org\n")
        );
        assert!(body.contains("Two\nlines"), "the message keeps its lines");
    }
}
