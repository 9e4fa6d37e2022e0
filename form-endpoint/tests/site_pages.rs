//! `sportello-forms serve --content … --themes …`: the answers are the
//! site's own contact page, in the reader's language, with what they typed.

mod support;

use std::path::Path;
use std::process::Stdio;

#[test]
fn invalid_form_comes_back_as_the_themed_contact_page_in_arabic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().unwrap();
    let content = root.join("content");
    let themes = root.join("themes");
    let (mut server, addr) = support::start_server(
        &dir.path().join("queue.jsonl"),
        &[
            "--content",
            content.to_str().unwrap(),
            "--themes",
            themes.to_str().unwrap(),
        ],
        &[],
        Stdio::null(),
    );
    let body = support::form_body("ar", 1)
        .replace("email=quokka.private%40example.org", "email=not-an-address");
    let (status, html) = support::post_accepting(addr, &body, "text/html").unwrap();
    let _ = server.kill();
    assert_eq!(status, 422, "{html}");
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    assert!(
        html.contains(r#"class="error-summary""#),
        "the theme's error summary"
    );
    assert!(html.contains("not-an-address"), "what was typed is kept");
    assert!(html.contains(support::NAME), "what was typed is kept");
    assert!(html.contains("/assets/style."), "the site's stylesheet");
}

#[test]
fn a_site_with_mistakes_is_refused_with_the_generators_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/site.yaml"), "base_url: nope\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sportello-forms"))
        .args(["serve", "--listen", "127.0.0.1:0", "--queue"])
        .arg(dir.path().join("q.jsonl"))
        .args(["--content"])
        .arg(dir.path().join("content"))
        .args(["--themes"])
        .arg(dir.path().join("themes"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("site.yaml"), "{err}");
}

/// The shipped site's contact page in `lang`, answering a submission with
/// these `errors`.
fn contact_page_with(lang: &str, errors: &[(&str, sportello_forms::ErrorCode)]) -> String {
    use sportello_forms::pages::{FormPages, FormState, FormStatus};
    use sportello_forms::site_pages::SitePages;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let pages = SitePages::load(&sportello::Options {
        content: root.join("content"),
        themes: root.join("themes"),
        ..Default::default()
    })
    .unwrap();
    let errors = errors.iter().map(|(f, e)| ((*f).to_owned(), *e)).collect();
    let state = FormState::new(FormStatus::Invalid, Default::default(), errors);
    pages.render(lang, &state).unwrap()
}

#[test]
fn bad_lang_is_named_in_the_themed_error_summary() {
    use sportello_forms::ErrorCode;
    let html = contact_page_with(
        "it",
        &[
            ("lang", ErrorCode::InvalidLang),
            ("email", ErrorCode::InvalidEmail),
        ],
    );
    let summary = &html[html.find("id=\"error-summary\"").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    assert!(
        summary.contains("La pagina da cui è partito il modulo non è stata riconosciuta"),
        "{summary}"
    );
    // The fields people can correct keep their link, after the one they cannot.
    let lang_at = summary.find("La pagina da cui").unwrap();
    let email_at = summary
        .find("href=\"#f-email\"")
        .expect("a link to the field");
    assert!(lang_at < email_at, "{summary}");
}

/// A desk or topic refused (a form left open while a desk was removed, or
/// a tampered one) was shown above its menu, but the menu was not marked
/// invalid nor tied to the message, and the message had no "Error:" for a
/// screen reader, unlike every other field.
#[test]
fn a_refused_desk_or_topic_marks_its_menu_and_names_the_error() {
    use sportello_forms::ErrorCode;
    let html = contact_page_with(
        "en",
        &[
            ("desk", ErrorCode::InvalidChoice),
            ("topic", ErrorCode::InvalidChoice),
        ],
    );
    for field in ["desk", "topic"] {
        let tag = format!("<select id=\"f-{field}\" name=\"{field}\"");
        let at = html
            .find(&tag)
            .unwrap_or_else(|| panic!("{field} menu in {html}"));
        let tag = &html[at..at + html[at..].find('>').unwrap()];
        assert!(
            tag.contains(&format!(
                " aria-invalid=\"true\" aria-describedby=\"f-{field}-error\""
            )),
            "{tag}"
        );
        assert!(
            html.contains(&format!(
                "<p class=\"error-message\" id=\"f-{field}-error\"><span class=\"visually-hidden\">Error:</span> "
            )),
            "{field}: {html}"
        );
    }
}

/// Copies a folder tree (the shipped content, to change a page of it).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Sends one raw HTTP/1.1 request; returns the whole response, headers too.
fn exchange(addr: std::net::SocketAddr, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn post_html(addr: std::net::SocketAddr, body: &str) -> String {
    exchange(
        addr,
        &format!(
            "POST /forms/contact HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

fn location(response: &str) -> Option<&str> {
    response
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("location: "))
        .map(str::trim)
}

/// The contact and thanks URLs come from the site model: an Italian
/// contact page with `slug: contatti` is at `/it/contatti/`, and the
/// endpoint sends people there, not to a `/it/contact/` that does not exist.
#[test]
fn a_localised_contact_slug_is_where_the_endpoint_sends_people() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    copy_tree(&root.join("content"), &content);
    for (file, slug) in [("_index.it.md", "contatti"), ("thanks.it.md", "grazie")] {
        let path = content.join("contact").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replacen("---\n", &format!("---\nslug: {slug}\n"), 1);
        std::fs::write(&path, text).unwrap();
    }
    let themes = root.join("themes");
    let (mut server, addr) = support::start_server(
        &dir.path().join("queue.jsonl"),
        &[
            "--content",
            content.to_str().unwrap(),
            "--themes",
            themes.to_str().unwrap(),
        ],
        &[],
        Stdio::null(),
    );
    let stored_it = post_html(addr, &support::form_body("it", 1));
    let stored_en = post_html(addr, &support::form_body("en", 2));
    let invalid = post_html(
        addr,
        &support::form_body("it", 3).replace("consent=yes", "consent="),
    );
    let reloaded = exchange(
        addr,
        "GET /forms/contact HTTP/1.1\r\nHost: localhost\r\nReferer: http://localhost/it/contatti/\r\nConnection: close\r\n\r\n",
    );
    let _ = server.kill();

    assert!(stored_it.starts_with("HTTP/1.1 303"), "{stored_it}");
    assert_eq!(location(&stored_it), Some("/it/contatti/grazie/"));
    assert_eq!(location(&stored_en), Some("/en/contact/thanks/"));
    assert!(invalid.starts_with("HTTP/1.1 422"), "{invalid}");
    assert!(
        invalid.contains("/it/contatti/\""),
        "the error page is the contact page at its localised URL"
    );
    assert_eq!(location(&reloaded), Some("/it/contatti/"), "{reloaded}");
    // The theme's limits and topics are the endpoint's (one contract).
    assert!(invalid.contains(r#"maxlength="200""#) && invalid.contains(r#"maxlength="5000""#));
    assert!(invalid.contains(r#"<option value="networks""#), "{invalid}");
}
