//! The editors' interface served by `sportello serve` at `/admin/`: its
//! generated configuration checked against the interface's own schema, its
//! files served from this origin, and a translation it creates brought to
//! the original's digest.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Server, TestSite};

/// The fixture: the default three languages, a section with a page and its
/// section page, a data folder that is not a section.
fn site() -> TestSite {
    TestSite::new()
        .page("guides/_index.it.md", "Guide", "Le guide.")
        .page("guides/statuto.it.md", "Lo statuto", "Testo.")
        .page("guides/statuto.en.md", "The statute", "Text.")
        .file("content/_data/desks.yaml", "[]\n")
}

fn config(server: &Server) -> Value {
    let (status, head, body) = server.get("/admin/config.yml");
    assert_eq!(status, 200, "{head}\n{}", String::from_utf8_lossy(&body));
    assert!(
        head.to_ascii_lowercase().contains("application/yaml"),
        "{head}"
    );
    let text = String::from_utf8(body).unwrap();
    sportello::yaml::from_str(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
}

#[test]
fn admin_config_is_valid_for_sveltia_cms_schema() {
    let server = Server::start(site());
    let config = config(&server);
    let schema: Value = serde_json::from_str(include_str!("../../admin/sveltia-cms.schema.json"))
        .expect("the vendored schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&config)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{config:#}");
}

/// Sveltia CMS writes every field it knows unless told otherwise: a page
/// saved with no date or slug came out as `date: ''` and `slug: ''`, which
/// the build refuses, so the first save of any page broke the site.
#[test]
fn admin_save_leaves_empty_optional_fields_out() {
    let server = Server::start(site());
    let c = config(&server);
    assert_eq!(c["output"]["omit_empty_optional_fields"], true, "{c:#}");
    let fields = c["collections"][0]["fields"].as_array().unwrap();
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap();
    for name in ["date", "updated", "slug", "aliases", "weight", "summary"] {
        assert_eq!(field(name)["required"], false, "{name} may be left out");
    }
    // Required (so kept when empty) and empty in a new translation: the
    // key `serve` fills with the original's digest.
    assert_eq!(field("translated_from")["default"], "");
    assert!(field("translated_from").get("required").is_none());
}

#[test]
fn admin_config_follows_site_yaml_and_the_content_tree() {
    let server = Server::start(site());
    let c = config(&server);
    assert_eq!(c["i18n"]["structure"], "multiple_files");
    assert_eq!(c["i18n"]["default_locale"], "it");
    assert_eq!(c["i18n"]["locales"], serde_json::json!(["it", "en", "ar"]));
    let collections = c["collections"].as_array().unwrap();
    let folders: Vec<&str> = collections
        .iter()
        .map(|c| c["folder"].as_str().unwrap())
        .collect();
    // One collection per section, the pages at the top; `_data` is no section.
    assert_eq!(
        folders,
        [
            "content",
            "content/contact",
            "content/desks",
            "content/guides"
        ]
    );
    let guides = &collections[3];
    assert_eq!(guides["index_file"]["name"], "_index");
    let field = |name: &str| {
        guides["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .clone()
    };
    assert_eq!(field("title")["required"], true);
    assert_eq!(field("weight")["widget"], "number");
    assert_eq!(field("weight")["value_type"], "int");
    assert_eq!(field("date")["format"], "YYYY-MM-DD");
    assert_eq!(field("draft")["widget"], "boolean");
    assert_eq!(field("translated_from")["widget"], "hidden");
    assert_eq!(field("translated_from")["i18n"], true);
    // Every key of the content contract has a field, so none is dropped on save.
    for key in [
        "summary",
        "updated",
        "slug",
        "aliases",
        "template",
        "translation_key",
        "extra",
        "body",
    ] {
        field(key);
    }
}

#[test]
fn admin_config_follows_a_new_section_without_a_restart() {
    let server = Server::start(site());
    std::fs::create_dir_all(server.site.path().join("content/news")).unwrap();
    let c = config(&server);
    assert!(
        c["collections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["folder"] == "content/news"),
        "{c:#}"
    );
}

#[test]
fn admin_is_served_from_this_origin_only() {
    let server = Server::start(site());
    let (status, _, page) = server.get("/admin/");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains(r#"src="/admin/sveltia-cms.js""#), "{page}");
    assert!(page.contains(r#"href="/admin/config.yml""#), "{page}");
    assert!(!page.contains("https://"), "no third-party load: {page}");
    assert!(
        !page.contains("_sportello/events"),
        "no live-reload script in the interface"
    );
    let (status, head, script) = server.get("/admin/sveltia-cms.js");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript"), "{head}");
    assert!(script.len() > 1_000_000, "the whole interface is served");
    let script = String::from_utf8(script).unwrap();
    // What the interface would fetch from other sites on every visit is
    // fetched from here, and answered.
    for foreign in [
        "cdn.jsdelivr.net",
        "githubstatus.com/api",
        "${iP}/package.json",
    ] {
        assert!(!script.contains(foreign), "{foreign}");
    }
    for local in [
        "/admin/fonts/source-sans-3-latin-wght-normal.woff2",
        "/admin/fonts/noto-mono-latin-400-normal.woff2",
        "/admin/fonts/material-symbols-outlined-latin-wght-normal.woff2",
        "/admin/version.json",
        "/admin/github-status.json",
    ] {
        assert!(script.contains(local), "{local}");
        assert_eq!(server.get(local).0, 200, "{local}");
    }
    assert_eq!(server.get("/admin").0, 308);
}

#[test]
fn admin_config_names_the_git_host_of_site_yaml() {
    let site = site().file(
        "content/site.yaml",
        &format!(
            "{}cms: {{ backend: gitlab, repo: desk/site, branch: main }}\n",
            support::SITE
        ),
    );
    let server = Server::start(site);
    let c = config(&server);
    assert_eq!(c["backend"]["name"], "gitlab");
    assert_eq!(c["backend"]["repo"], "desk/site");
    assert_eq!(c["backend"]["branch"], "main");
}

/// Regression: a translation created in the interface (its hidden
/// `translated_from` empty) was reported stale by `check` although it was
/// just made from the current original.
#[test]
fn translation_created_with_empty_translated_from_is_not_stale() {
    let server = Server::start(site());
    let ar = server.site.path().join("content/guides/statuto.ar.md");
    std::fs::write(
        &ar,
        "---\ntitle: النظام الأساسي\ntranslated_from: ''\ndraft: false\n---\nنص.\n",
    )
    .unwrap();
    let original =
        std::fs::read_to_string(server.site.path().join("content/guides/statuto.it.md")).unwrap();
    let digest = sportello::model::digest(&original);
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        let text = std::fs::read_to_string(&ar).unwrap();
        if !text.contains("translated_from: ''") {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "serve never filled it in: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        text.contains(&format!("translated_from: \"{digest}\"")),
        "{text}"
    );
    assert!(text.ends_with("---\nنص.\n"), "the rest is kept: {text}");
    let check = server.site.check();
    assert!(check.ok(), "{}", check.stderr());
    assert!(
        !check
            .stdout()
            .contains("stale    content/guides/statuto.ar.md"),
        "{}",
        check.stdout()
    );
}

#[test]
fn translation_with_a_digest_is_left_alone() {
    let site = site().file(
        "content/guides/statuto.ar.md",
        "---\ntitle: النظام الأساسي\ntranslated_from: \"000000000000\"\n---\nنص.\n",
    );
    let server = Server::start(site);
    let ar = server.site.path().join("content/guides/statuto.ar.md");
    // A translator's save: the text changes, the digest is theirs to update.
    let saved = std::fs::read_to_string(&ar)
        .unwrap()
        .replace("نص.", "نص جديد.");
    std::fs::write(&ar, &saved).unwrap();
    // The rebuild after that save is observable on the page.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&server.get("/ar/guides/statuto/").2).contains("نص جديد.")
    {
        assert!(Instant::now() < deadline, "the page was never rebuilt");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&ar).unwrap(), saved);
}
