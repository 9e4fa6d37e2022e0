//! Any body: decoding, validation and the plain page never panic, and what
//! validation accepts obeys the field rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sportello_forms::decode::decode_form;
use sportello_forms::fields::{self, validate};
use sportello_forms::{FormPages, FormState, FormStatus, PlainPages};

fuzz_target!(|data: &[u8]| {
    let form = decode_form(data);
    assert!(!form.values.contains_key(fields::HONEYPOT));
    let languages = vec!["it".to_owned(), "ar".to_owned()];
    let desks = vec!["terni".to_owned()];
    match validate(&form.values, &languages, &desks) {
        Ok(s) => {
            assert!(!s.name.is_empty() && s.name.chars().count() <= fields::NAME_MAX);
            assert!(!s.message.is_empty() && s.message.chars().count() <= fields::MESSAGE_MAX);
            assert!(s.email.is_some() || s.phone.is_some());
            assert!(fields::TOPICS.contains(&s.topic.as_str()));
            // One-line fields stay one line; nothing required is invisible.
            for one in [Some(&s.name), s.email.as_ref(), s.phone.as_ref()].into_iter().flatten() {
                assert!(!one.contains(['\n', '\r', '\u{2028}', '\u{2029}']));
            }
            assert!(s.name.chars().any(|c| !fields::is_invisible(c)));
            assert!(s.message.chars().any(|c| !fields::is_invisible(c)));
        }
        Err(errors) => {
            let pages = PlainPages::new(languages, desks, "0744 812786");
            let state = FormState::new(FormStatus::Invalid, form.values, errors);
            let html = pages.render("ar", &state).expect("the plain page renders");
            // Nothing typed can open a tag.
            assert_eq!(html.matches("<script").count(), 0);
        }
    }
});
