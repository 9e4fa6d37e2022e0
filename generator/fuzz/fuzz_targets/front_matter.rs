//! Any page file: front matter parsing never panics, the body starts inside
//! the text on a character boundary, and every problem renders with its
//! location (the editor sees a message, never a crash).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sportello::load::frontmatter;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (front, body_start, diags) = frontmatter::parse("content/page.it.md", &text);
    assert!(body_start <= text.len() && text.is_char_boundary(body_start));
    assert!(front.is_some() || !diags.is_empty(), "a refusal says why");
    for d in &diags {
        let shown = d.render();
        assert!(shown.contains("content/page.it.md"), "{shown}");
    }
});
