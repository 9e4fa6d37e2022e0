//! The content the project ships: `sportello check` finds nothing to fix,
//! every page exists in every language and no translation is stale.

use std::path::Path;
use std::process::Command;

#[test]
fn shipped_content_checks_clean_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args(["check", "--content", "content", "--themes", "themes"])
        .current_dir(&root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}\n{stdout}");
    assert!(
        stdout.contains("translations (from `it`): 0 missing, 0 stale"),
        "{stdout}"
    );
    // The one warning allowed: `base_url` is the sample until the desk
    // publishes the site at its real address.
    assert!(
        stdout.contains("0 error(s), 1 warning(s)"),
        "{stderr}\n{stdout}"
    );
    assert!(stderr.contains("is a sample address"), "{stderr}");
    // What only the desk can supply is listed, never silently shipped.
    assert!(
        stdout.contains("to confirm (`[da confermare]`)"),
        "{stdout}"
    );
    for code in ["en", "fr", "ar", "ro", "sq", "uk"] {
        assert!(
            stdout.contains(&format!("  {code}: 0 missing, 0 stale")),
            "{code}: {stdout}"
        );
    }
}

#[test]
fn shipped_site_builds_every_page_in_seven_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sportello"))
        .args([
            "build",
            "--content",
            "content",
            "--themes",
            "themes",
            "--out",
        ])
        .arg(out_dir.path().join("public"))
        .current_dir(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("(it 20, en 20, fr 20, ar 20, ro 20, sq 20, uk 20), 0 fallbacks"),
        "{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    let thanks =
        std::fs::read_to_string(out_dir.path().join("public/ar/contact/thanks/index.html"))
            .unwrap();
    assert!(thanks.contains(r#"<html lang="ar" dir="rtl">"#));
    // No association has consented to be listed: the directory ships empty,
    // inviting them to ask, in every language.
    let directory =
        std::fs::read_to_string(out_dir.path().join("public/ar/associations/index.html")).unwrap();
    assert!(
        directory.contains("لا توجد أي جمعية في الدليل حتى الآن."),
        "{directory}"
    );
    assert!(
        directory.contains(r#"<a href="/ar/contact/">"#),
        "{directory}"
    );
    // Regression: the phone example's digit groups were shown in reverse
    // order in the Arabic sentence ("4567 123 333 39+").
    let contact =
        std::fs::read_to_string(out_dir.path().join("public/ar/contact/index.html")).unwrap();
    assert!(
        contact.contains(r#"مثلًا <span dir="ltr">+39 333 123 4567</span>."#),
        "{contact}"
    );
    // The "add your association" form asks for the same phone: it had no
    // hint that the country code is wanted.
    let join = std::fs::read_to_string(
        out_dir
            .path()
            .join("public/ar/associations/join/index.html"),
    )
    .unwrap();
    assert!(
        join.contains(r#"مثلًا <span dir="ltr">+39 333 123 4567</span>."#)
            && join.contains(r#"aria-describedby="f-phone-hint""#),
        "{join}"
    );
    let footer = std::fs::read_to_string(out_dir.path().join("public/uk/index.html")).unwrap();
    assert!(
        footer.contains("PROG-2330") && footer.contains("I67B18000050007"),
        "funding statement in every footer"
    );
}
