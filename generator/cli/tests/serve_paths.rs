//! `sportello serve` over real HTTP: what the file server answers to paths
//! a browser or an attacker may send.

mod support;

use support::{Server, TestSite, header};

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
