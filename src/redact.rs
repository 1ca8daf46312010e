//! Hides credentials in URLs before they are shown: in logs, the API, error messages and
//! exported files.
//!
//! Operators put credentials in feed URLs (`https://user:pass@host/feed`,
//! `...?private_token=...`) because many private feeds offer nothing else. The daemon keeps the
//! URL as written to fetch it, but everything that displays or exports a URL goes through
//! [`url`], the one redaction function, so a secret never reaches the unauthenticated
//! `GET /api/v1/accounts`, a log line or a JSONL export. Redaction keeps the URL recognisable:
//! the host, path and harmless parameters stay, each secret becomes `***`.

use std::borrow::Cow;

/// What replaces a secret.
pub const MASK: &str = "***";

/// `text` with the userinfo (user and password) and the values of secret-looking query
/// parameters ([`is_secret_parameter`]) replaced by `***`. Text that is not an absolute URL
/// with credentials comes back unchanged (and unallocated).
pub fn url(text: &str) -> Cow<'_, str> {
    // Cheap early exits: most URLs have neither userinfo nor a query.
    if !text.contains('@') && !text.contains('?') {
        return Cow::Borrowed(text);
    }
    let Ok(mut parsed) = reqwest::Url::parse(text) else {
        return Cow::Borrowed(text);
    };
    let mut changed = false;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Both calls only fail on URLs that cannot have userinfo (`mailto:`), which have none.
        let _ = parsed.set_password(None);
        let _ = parsed.set_username(MASK);
        changed = true;
    }
    if let Some(query) = parsed.query() {
        let mut masked_any = false;
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| {
                let (key, _) = pair.split_once('=').unwrap_or((pair, ""));
                if is_secret_parameter(&percent_decoded(key)) {
                    masked_any = true;
                    format!("{key}={MASK}")
                } else {
                    pair.to_string()
                }
            })
            .collect();
        if masked_any {
            parsed.set_query(Some(&pairs.join("&")));
            changed = true;
        }
    }
    if changed {
        Cow::Owned(parsed.to_string())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether a query parameter's name says its value is a secret, compared without case: it
/// contains `token`, `secret`, `password`, `passwd`, `apikey` or `signature` anywhere
/// (`private_token`, `X-Amz-Signature`), or one of its words (split at `_`, `-`, `.`) is `key`,
/// `pass`, `pwd`, `auth`, `authorization`, `session`, `sessionid`, `credential(s)`, `sig` or
/// `sign` (`api_key`, `auth`, `sig`). `author` or `monkey` are not secrets.
pub fn is_secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let anywhere = [
        "token",
        "secret",
        "password",
        "passwd",
        "apikey",
        "signature",
    ];
    let words = [
        "key",
        "pass",
        "pwd",
        "auth",
        "authorization",
        "session",
        "sessionid",
        "credential",
        "credentials",
        "sig",
        "sign",
    ];
    anywhere.iter().any(|w| name.contains(w))
        || name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| words.contains(&word))
}

/// A query key with `%XX` escapes and `+` decoded, so `api%5Fkey` is still `api_key`.
fn percent_decoded(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_and_secret_parameters_are_masked() {
        let shown = url("http://user:password@host.example/feed?private_token=abc123&page=2");
        assert_eq!(
            shown,
            "http://***@host.example/feed?private_token=***&page=2"
        );
        assert!(!shown.contains("password") && !shown.contains("abc123"));
        for (text, hidden) in [
            ("https://h/f?API_KEY=k1", "k1"),
            ("https://h/f?apikey=k2&x=1", "k2"),
            ("https://h/f?access_token=t1", "t1"),
            ("https://h/f?Secret=s1", "s1"),
            ("https://h/f?auth=a1", "a1"),
            ("https://h/f?sig=x1", "x1"),
            ("https://h/f?X-Amz-Signature=x2", "x2"),
            ("https://h/f?passwd=p1", "p1"),
            ("https://h/f?api%5Fkey=p2", "p2"),
            ("https://onlyuser@h/f", "onlyuser"),
        ] {
            let shown = url(text);
            assert!(!shown.contains(hidden), "{text} -> {shown}");
            assert!(shown.contains(MASK), "{text} -> {shown}");
        }
    }

    #[test]
    fn harmless_urls_and_other_text_are_unchanged() {
        for text in [
            "https://mastodon.social/@acme.rss",
            "https://example.com/feed.xml?page=2&lang=en",
            "https://blog.example/feed/?author=3&monkey=1&design=x",
            "mastodon:@acme@mastodon.social",
            "bsky:acme.bsky.social",
            "file:/archives/a@b.zip",
            "not a url ? @",
        ] {
            assert!(matches!(url(text), Cow::Borrowed(_)), "{text}");
        }
    }
}
