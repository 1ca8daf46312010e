//! Post HTML to plain text and links, for the sources that carry posts as HTML: the Mastodon
//! export's and API's `content`, feed descriptions.
//!
//! Post HTML is small and already sanitised by the server (Mastodon allows a handful of tags),
//! so a tag stripper is enough and a full HTML parser would be a heavy dependency for nothing.
//! Block ends (`<br>`, `</p>`) become line breaks, entities are decoded, and `<a href>` targets
//! are collected as the post's links, except mention and hashtag links, which point at profiles
//! and tag pages rather than anything the post shares.

/// The visible text of an HTML fragment: tags removed, `<br>` and paragraph ends as `\n`,
/// entities decoded, runs of blank lines folded.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        // `<` starts a tag only when a name, `/` or `!` follows: "a < b" is text.
        let opens_tag = rest[start + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        if !opens_tag {
            out.push('<');
            rest = &rest[start + 1..];
            continue;
        }
        let Some(len) = rest[start..].find('>') else {
            // An unclosed `<` is text, not a tag.
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = &rest[start + 1..start + len];
        let name = tag_name(tag);
        if name == "br"
            || (tag.starts_with('/') && matches!(name, "p" | "div" | "li" | "blockquote"))
        {
            out.push('\n');
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    let decoded = html_escape::decode_html_entities(&out);
    let mut text = String::with_capacity(decoded.len());
    let mut blank_run = 0;
    for line in decoded.split('\n') {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 || text.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(line);
    }
    text.trim_end().to_string()
}

/// A post's text with its content warning (Mastodon `spoiler_text` / ActivityPub `summary`)
/// on the first line: the warning is part of what the account wrote, and a program that posts
/// the same warning over varied bodies repeats itself there.
pub fn with_content_warning(text: String, warning: Option<&str>) -> String {
    match warning.map(str::trim).filter(|w| !w.is_empty()) {
        None => text,
        Some(w) if text.is_empty() => w.to_string(),
        Some(w) => format!("{w}\n{text}"),
    }
}

/// The `href` of every `<a>` that is not a mention or hashtag link, decoded, in order.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start + 1..start + len];
        rest = &rest[start + len + 1..];
        if tag_name(tag) != "a" {
            continue;
        }
        let class = attribute(tag, "class").unwrap_or_default();
        let rel = attribute(tag, "rel").unwrap_or_default();
        if class
            .split_whitespace()
            .any(|c| c == "mention" || c == "hashtag" || c == "u-url")
            || rel.split_whitespace().any(|r| r == "tag")
        {
            continue;
        }
        if let Some(href) = attribute(tag, "href") {
            if href.starts_with("http://") || href.starts_with("https://") {
                out.push(href);
            }
        }
    }
    out
}

/// The lowercase element name of a tag's inside (`a href=…` → `a`, `/p` → `p`, `br/` → `br`).
fn tag_name(tag: &str) -> &str {
    let t = tag.trim_start_matches('/');
    let end = t
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(t.len());
    let name = &t[..end];
    // Names in post HTML are ASCII; comparing lowercase-only covers the common `<BR>` too.
    if name.eq_ignore_ascii_case("br") {
        "br"
    } else if name.eq_ignore_ascii_case("a") {
        "a"
    } else if name.eq_ignore_ascii_case("p") {
        "p"
    } else {
        name
    }
}

/// The decoded value of one attribute in a tag's inside, quoted with `"` or `'`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        // Must be a whole attribute name followed by `=`.
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - after.len() + 1;
        let value = tag[value_start..].trim_start();
        let quote = value.chars().next()?;
        let (raw, _) = if quote == '"' || quote == '\'' {
            value[1..].split_once(quote)?
        } else {
            (value.split(char::is_whitespace).next().unwrap_or(value), "")
        };
        return Some(html_escape::decode_html_entities(raw).into_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_warning_is_the_first_line() {
        assert_eq!(
            with_content_warning("body".into(), Some(" CW ")),
            "CW\nbody"
        );
        assert_eq!(with_content_warning("".into(), Some("CW")), "CW");
        assert_eq!(with_content_warning("body".into(), Some("  ")), "body");
        assert_eq!(with_content_warning("body".into(), None), "body");
    }

    #[test]
    fn mastodon_content_becomes_text_and_links() {
        let html = r#"<p>New post &amp; more: <a href="https://shop.example/x?a=1&amp;b=2" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span>shop.example/x</a></p><p>Thanks <span class="h-card"><a href="https://mastodon.social/@bob" class="u-url mention">@<span>bob</span></a></span> <a href="https://mastodon.social/tags/rust" class="mention hashtag" rel="tag">#<span>rust</span></a><br>bye</p>"#;
        assert_eq!(
            to_text(html),
            "New post & more: https://shop.example/x\nThanks @bob #rust\nbye"
        );
        assert_eq!(links(html), ["https://shop.example/x?a=1&b=2"]);
    }

    #[test]
    fn broken_html_is_kept_as_text() {
        assert_eq!(to_text("a < b and <b>bold"), "a < b and bold");
        assert_eq!(to_text("x <unclosed"), "x <unclosed");
        assert!(links("<a href=>").is_empty());
        assert!(links("<a class=x>").is_empty());
    }
}
