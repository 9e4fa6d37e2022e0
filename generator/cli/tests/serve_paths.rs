//! `sportello serve` over real HTTP: what the file server answers to paths
//! a browser or an attacker may send.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use support::{TestSite, themes};

/// The real binary serving a fixture site; killed when dropped.
struct Server {
    child: Child,
    addr: String,
    site: TestSite,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: TestSite) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(["serve", "--listen", "127.0.0.1:0", "--no-live-reload"])
            .args(["--content", "content", "--queue", "var/q.jsonl", "--themes"])
            .arg(themes())
            .current_dir(site.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("serve exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix("serving http://") {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, addr, site }
    }

    /// Sends one raw request line (the path exactly as given) and returns
    /// the status code, the headers and the body.
    fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete answer");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let status = head[9..12].parse().unwrap();
        (status, head, raw[split + 4..].to_vec())
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[cfg(unix)]
#[test]
fn symlinks_leaving_the_output_folder_are_not_served() {
    let site = TestSite::new().file("secret/passwd", "root:x:0:0:SECRET");
    let server = Server::start(site);
    let public = server.site.path().join("public");
    let secret = server.site.path().join("secret");
    std::os::unix::fs::symlink(secret.join("passwd"), public.join("passwd")).unwrap();
    std::os::unix::fs::symlink(&secret, public.join("var")).unwrap();
    std::os::unix::fs::symlink(public.join("it/index.html"), public.join("home.html")).unwrap();
    for path in ["/passwd", "/var/passwd", "/var/", "/it/../passwd"] {
        let (status, _, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("SECRET"), "{path}");
    }
    // A link that stays inside is served.
    let (status, _, body) = server.get("/home.html");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("Benvenuti"));
}

#[test]
fn double_slash_redirect_stays_on_this_site() {
    let server = Server::start(TestSite::new());
    for path in ["//it", "///it", "/it", "//it?x=1"] {
        let (status, head, _) = server.get(path);
        assert_eq!(status, 307, "{path}");
        let to = header(&head, "location").unwrap();
        assert!(to.starts_with("/it/"), "{path} → {to}");
    }
    let (status, _, body) = server.get("//it/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("Benvenuti"));
}

#[test]
fn long_paths_are_not_found_not_server_errors() {
    let server = Server::start(TestSite::new());
    let long_segment = format!("/it/{}", "a".repeat(256));
    let deep = format!("/it/{}", "abcdefgh/".repeat(200)); // 1.8 KB of folders
    for path in [long_segment.as_str(), deep.as_str(), "/it/%ff", "/it/a%00b"] {
        let (status, _, body) = server.get(path);
        assert_eq!(status, 404, "{}", &path[..20.min(path.len())]);
        assert!(!body.is_empty(), "the site's 404 page");
    }
    let (status, _, _) = server.get(&format!("/{}", "a/".repeat(3000)));
    assert_eq!(status, 414);
}
