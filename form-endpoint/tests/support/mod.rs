//! A tiny blocking HTTP/1.1 client for tests that talk to a real socket.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The personal data every test submission carries: none of it may appear
/// in any log.
pub const NAME: &str = "Zanzibar Quokkadottir";
pub const EMAIL: &str = "quokka.private@example.org";
pub const PHONE: &str = "+39 333 9876543";
pub const MESSAGE: &str = "Secret-message-marker about my association";
pub const PERSONAL: [&str; 6] = [
    NAME,
    "Quokkadottir",
    EMAIL,
    "quokka.private",
    "9876543",
    "Secret-message-marker",
];

pub fn form_body(lang: &str, n: usize) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("lang", lang)
        .append_pair("name", NAME)
        .append_pair("email", EMAIL)
        .append_pair("phone", PHONE)
        .append_pair("desk", "any")
        .append_pair("topic", "founding")
        .append_pair("message", &format!("{MESSAGE} #{n}"))
        .append_pair("consent", "yes")
        .append_pair("website", "")
        .finish()
}

/// Posts `body` to `/forms/contact`, asking for JSON; returns status and body.
pub fn post(addr: SocketAddr, body: &str) -> std::io::Result<(u16, String)> {
    post_accepting(addr, body, "application/json")
}

/// Posts the form as a browser does (`Accept: text/html`) or as a script.
pub fn post_accepting(
    addr: SocketAddr,
    body: &str,
    accept: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST /forms/contact HTTP/1.1\r\nHost: localhost\r\nAccept: {accept}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The `id` of a `201 {"id": …}` answer.
pub fn id_of(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v["id"].as_str().map(str::to_owned)
}

/// Starts the real `sportello-forms serve` on a free loopback port with the
/// rate limit off; `extra` arguments and `env` are added; returns once it
/// listens.
pub fn start_server(
    queue: &std::path::Path,
    extra: &[&str],
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
) -> (std::process::Child, SocketAddr) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--rate",
            "off",
            "--queue",
        ])
        .arg(queue)
        .args(extra)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("server starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (child, addr)
}
