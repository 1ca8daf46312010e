//! The HTML-to-text conversion every source uses for post bodies (`sources::html`).
//! Property: never a panic or a hang; text without markup (no `<`, no `&`) gains no `<`.
#![no_main]

use echoscope::sources::html;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let text = html::to_text(&s);
    let _ = html::links(&s);
    let (warning, body) = s.split_once('\u{1}').unwrap_or(("", &s));
    let _ = html::with_content_warning(body.to_string(), Some(warning).filter(|w| !w.is_empty()));
    if !s.contains(['<', '&']) {
        assert!(!text.contains('<'), "a tag appeared from plain text");
    }
});
