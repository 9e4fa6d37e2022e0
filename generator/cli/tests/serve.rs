//! `sportello serve` over real HTTP: the binary started on a free port.

mod support;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::TestSite;

/// A running `sportello serve`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &TestSite) -> Server {
        // A port the system just gave out and took back: free for the server.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_sportello"))
            .args(["serve", "--content", "content", "--themes"])
            .arg(support::themes())
            .args([
                "--out",
                "public",
                "--queue",
                "var/q.jsonl",
                "--no-live-reload",
            ])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .current_dir(site.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The status code of `GET path`.
    fn status(&self, path: &str) -> u16 {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
    }
}

#[test]
fn serve_never_serves_dot_files() {
    let site = TestSite::new();
    assert!(site.build().ok());
    // Files someone else left in the output folder, as an older version's
    // cache was, or an editor's and a tool's own files.
    let public = site.path().join("public");
    std::fs::write(public.join(".sportello-cache.json"), "{}").unwrap();
    std::fs::write(public.join(".env"), "SECRET=1").unwrap();
    std::fs::create_dir_all(public.join(".git")).unwrap();
    std::fs::write(public.join(".git/config"), "[core]").unwrap();
    std::fs::write(public.join("it/.notes.html"), "<p>notes</p>").unwrap();
    let server = Server::start(&site);
    assert_eq!(server.status("/it/"), 200, "the site itself is served");
    for path in [
        "/.sportello-cache.json",
        "/.env",
        "/.git/config",
        "/it/.notes.html",
        "/%2esportello-cache.json",
        "/%2Egit/config",
        "/it/%2enotes.html",
    ] {
        assert_eq!(server.status(path), 404, "{path}");
    }
}
