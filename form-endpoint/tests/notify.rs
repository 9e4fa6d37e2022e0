//! Notification of new submissions: the real server, a local SMTP sink and
//! a local webhook receiver started by the test; a mail server that is down
//! delays no submission, and what was missed is sent once it is back.

mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

type Mails = Arc<Mutex<Vec<String>>>;

/// A tiny SMTP server that accepts every message and keeps its DATA.
async fn smtp_sink(listener: tokio::net::TcpListener, mails: Mails) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let mails = mails.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let _ = write.write_all(b"220 sink ESMTP\r\n").await;
            while let Ok(Some(line)) = lines.next_line().await {
                let upper = line.to_ascii_uppercase();
                let reply: &[u8] = if upper.starts_with("EHLO") {
                    b"250-sink\r\n250 8BITMIME\r\n"
                } else if upper.starts_with("DATA") {
                    let _ = write.write_all(b"354 go on\r\n").await;
                    let mut data = String::new();
                    while let Ok(Some(l)) = lines.next_line().await {
                        if l == "." {
                            break;
                        }
                        data.push_str(&l);
                        data.push('\n');
                    }
                    mails.lock().expect("lock").push(data);
                    b"250 kept\r\n"
                } else if upper.starts_with("QUIT") {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    return;
                } else {
                    b"250 ok\r\n"
                };
                if write.write_all(reply).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn start_server(queue: &Path, extra: &[String]) -> (Child, SocketAddr) {
    let mut args = vec!["--notify-retry-ms", "200"];
    args.extend(extra.iter().map(String::as_str));
    support::start_server(queue, &args, &[("RUST_LOG", "debug")], Stdio::piped())
}

fn stop(server: Child) -> String {
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let out = server.wait_with_output().expect("stops");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn list_notified(queue: &Path) -> Vec<(String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(["list", "--queue"])
        .arg(queue)
        .output()
        .expect("list");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_owned(), cols[7].to_owned())
        })
        .collect()
}

#[test]
fn every_submission_is_mailed_and_posted_and_marked_notified() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mails: Mails = Arc::default();
    let hooks: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let (smtp_addr, hook_addr) = rt.block_on(async {
        let smtp = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let smtp_addr = smtp.local_addr().expect("addr");
        tokio::spawn(smtp_sink(smtp, mails.clone()));
        let hooks2 = hooks.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |axum::Json(v): axum::Json<serde_json::Value>| {
                let hooks = hooks2.clone();
                async move {
                    hooks.lock().expect("lock").push(v);
                    "ok"
                }
            }),
        );
        let hook = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let hook_addr = hook.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(hook, app).await });
        (smtp_addr, hook_addr)
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = dir.path().join("q.jsonl");
    let (server, addr) = start_server(
        &queue,
        &[
            "--smtp-host".into(),
            "127.0.0.1".into(),
            "--smtp-port".into(),
            smtp_addr.port().to_string(),
            "--notify-to".into(),
            "desk@example.org".into(),
            "--webhook".into(),
            format!("http://{hook_addr}/hook"),
        ],
    );
    let mut ids = Vec::new();
    for n in 0..3 {
        let (status, body) = support::post(addr, &support::form_body("ar", n)).expect("posts");
        assert_eq!(status, 201);
        ids.push(support::id_of(&body).expect("id"));
    }
    wait_until("3 mails and 3 hooks", || {
        mails.lock().expect("lock").len() == 3 && hooks.lock().expect("lock").len() == 3
    });
    wait_until("all marked notified", || {
        list_notified(&queue).iter().all(|(_, n)| n == "yes")
    });
    let logs = stop(server);
    let mails = mails.lock().expect("lock").clone();
    for id in &ids {
        assert!(
            mails.iter().any(|m| m.contains(id.as_str())),
            "mail for {id}"
        );
    }
    assert!(mails[0].contains("desk@example.org"));
    assert!(
        mails.iter().all(|m| m.contains("Secret-message-marker")),
        "the mail holds the request"
    );
    // The webhook: id and non-personal metadata only.
    for hook in hooks.lock().expect("lock").iter() {
        let keys: Vec<&str> = hook
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 5, "{hook}");
        for k in ["id", "received", "desk", "topic", "lang"] {
            assert!(keys.contains(&k), "{hook}");
        }
        assert!(ids.contains(&hook["id"].as_str().expect("id").to_owned()));
    }
    for personal in support::PERSONAL {
        assert!(!logs.contains(personal), "{personal} in the logs");
    }
    // Nothing is sent twice after a restart.
    let (server, _) = start_server(
        &queue,
        &[
            "--smtp-host".into(),
            "127.0.0.1".into(),
            "--smtp-port".into(),
            smtp_addr.port().to_string(),
            "--notify-to".into(),
            "desk@example.org".into(),
        ],
    );
    std::thread::sleep(Duration::from_millis(800));
    stop(server);
    assert_eq!(mails.len(), 3);
}

#[test]
fn a_mail_server_that_is_down_delays_nothing_and_is_caught_up() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // A port with nothing listening yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("binds")
        .local_addr()
        .expect("addr")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    let queue = dir.path().join("q.jsonl");
    let (server, addr) = start_server(
        &queue,
        &[
            "--smtp-host".into(),
            "127.0.0.1".into(),
            "--smtp-port".into(),
            port.to_string(),
            "--notify-to".into(),
            "desk@example.org".into(),
        ],
    );
    let started = Instant::now();
    let mut ids = Vec::new();
    for n in 0..3 {
        let (status, body) = support::post(addr, &support::form_body("it", n)).expect("posts");
        assert_eq!(status, 201, "stored although the mail server is down");
        ids.push(support::id_of(&body).expect("id"));
    }
    assert!(started.elapsed() < Duration::from_secs(3), "not delayed");
    // Long enough for the notifier's pass (every second) to fail and retry.
    std::thread::sleep(Duration::from_millis(2500));
    let listed = list_notified(&queue);
    assert_eq!(listed.len(), 3);
    assert!(
        listed.iter().all(|(_, n)| n == "NO"),
        "list shows what was not notified: {listed:?}"
    );
    // The mail server comes back: everything missed is sent.
    let mails: Mails = Arc::default();
    rt.block_on(async {
        let smtp = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("binds again");
        tokio::spawn(smtp_sink(smtp, mails.clone()));
    });
    wait_until("the 3 missed mails", || {
        mails.lock().expect("lock").len() == 3
    });
    wait_until("all marked notified", || {
        list_notified(&queue).iter().all(|(_, n)| n == "yes")
    });
    let logs = stop(server);
    assert!(logs.contains("notification failed; will retry"), "{logs}");
    let out = Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(["verify", "--queue"])
        .arg(&queue)
        .output()
        .expect("verify");
    assert!(out.status.success());
}
