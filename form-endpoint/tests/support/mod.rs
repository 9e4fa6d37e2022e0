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
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST /forms/contact HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
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
