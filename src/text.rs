//! Text normalisation shared by the detectors: two posts that a reader would call "the same
//! text" should normalise to the same string, whatever their links, mentions, numbers, emoji,
//! letter case or typographic tricks.
//!
//! [`normalize`] decodes HTML entities, applies Unicode NFKC (which also turns LinkedIn-style
//! "𝐛𝐨𝐥𝐝" mathematical letters and full-width forms into plain letters), lowercases, and then
//! makes one hand-written pass over the characters that replaces URLs with `<url>`, @mentions
//! with `<user>`, numbers with `<num>` and emoji runs with `<emoji>`, keeps hashtags as plain
//! words, drops punctuation at word edges and invisible characters, and joins the tokens with
//! single spaces. The pass is hand-written rather than a chain of regexes because it runs over
//! every post of every timeline (about a microsecond per tweet-sized post in release), and the
//! ASCII/already-NFKC cases skip the Unicode work entirely.
//!
//! [`reply_template`] additionally removes what changes from one recipient to the next in a
//! reply ("@bob Hi Bob, thanks for ..."), so that an auto-responder's replies collapse into one
//! template.

use std::borrow::Cow;

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The token a URL becomes.
pub const URL: &str = "<url>";
/// The token an @mention becomes.
pub const USER: &str = "<user>";
/// The token a number becomes.
pub const NUM: &str = "<num>";
/// The token a run of emoji becomes.
pub const EMOJI: &str = "<emoji>";

/// Normalises a post for near-duplicate comparison: the tokens of the text, lowercase, with
/// placeholders for what varies between copies of the same message, separated by single
/// spaces. See the module documentation for the rules.
///
/// ```
/// use echoscope::text::normalize;
/// assert_eq!(
///     normalize("🔥 NEW: 50% off at https://shop.example/x?id=1 @bob #Sale!!!"),
///     "<emoji> new <num> off at <url> <user> sale"
/// );
/// ```
pub fn normalize(text: &str) -> String {
    let decoded = if text.contains('&') {
        html_escape::decode_html_entities(text)
    } else {
        Cow::Borrowed(text)
    };
    // ASCII is already NFKC, and the quick check answers "yes" for most other real text without
    // allocating; only text that needs it is recomposed.
    let folded: Cow<'_, str> =
        if decoded.is_ascii() || is_nfkc_quick(decoded.chars()) == IsNormalized::Yes {
            decoded
        } else {
            Cow::Owned(decoded.nfkc().collect())
        };
    let mut out = Tokens::with_capacity(folded.len());
    for chunk in folded.split(char::is_whitespace) {
        if !chunk.is_empty() {
            out.chunk(chunk);
        }
    }
    out.text
}

/// The number of tokens of a [`normalize`]d text.
pub fn token_count(normalized: &str) -> usize {
    if normalized.is_empty() {
        0
    } else {
        normalized.split(' ').count()
    }
}

/// Normalises a reply for template matching: like [`normalize`], and also drops the leading
/// @mentions and the name in a leading greeting ("Hi Bob," / "Thanks @bob!" / "Thank you Mary
/// Ann,"), which an auto-responder fills in per recipient.
///
/// ```
/// use echoscope::text::reply_template;
/// assert_eq!(
///     reply_template("@bob @shop Hi Bob, thanks for reaching out! DM us."),
///     reply_template("@alice Hi Alice, thanks for reaching out! DM us."),
/// );
/// ```
pub fn reply_template(text: &str) -> String {
    let chunks: Vec<&str> = text.split_whitespace().collect();
    // Leading mentions, including Twitter's ".@name" form.
    let mut start = 0;
    while chunks
        .get(start)
        .is_some_and(|c| c.trim_start_matches('.').starts_with('@'))
    {
        start += 1;
    }
    let rest = chunks.get(start..).unwrap_or_default();
    let mut kept: Vec<&str> = Vec::with_capacity(rest.len());
    let greeting_len = greeting_len(rest);
    if greeting_len > 0 {
        kept.extend_from_slice(&rest[..greeting_len]);
        let after = &rest[greeting_len..];
        let greeting_ends = rest[greeting_len - 1].ends_with(NAME_END);
        let name_len = if greeting_ends { 0 } else { name_len(after) };
        kept.extend_from_slice(&after[name_len..]);
    } else {
        kept.extend_from_slice(rest);
    }
    let normalized = normalize(&kept.join(" "));
    // Mentions the chunk test above missed ("(@bob)") are still leading `<user>` tokens.
    let mut s = normalized.as_str();
    while let Some(r) = s.strip_prefix(USER) {
        s = r.trim_start();
    }
    s.to_string()
}

/// Greetings after which a reply usually names its recipient. Multi-word ones are listed as
/// their words.
const GREETINGS: &[&[&str]] = &[
    &["hi"],
    &["hey"],
    &["hello"],
    &["hiya"],
    &["heya"],
    &["dear"],
    &["thanks"],
    &["thx"],
    &["ty"],
    &["thank", "you"],
    &["many", "thanks"],
    &["congrats"],
    &["congratulations"],
    &["welcome"],
    &["greetings"],
    &["cheers"],
    &["howdy"],
    &["yo"],
    &["good", "morning"],
    &["good", "afternoon"],
    &["good", "evening"],
    &["hallo"],
    &["hola"],
    &["bonjour"],
    &["ciao"],
    &["hej"],
];

/// Punctuation that ends the name in a greeting ("Hi Bob," / "Thanks Bob!").
const NAME_END: &[char] = &[',', '!', ':', '.', ';', '—', '–'];

/// How many chunks of `chunks` form a leading greeting (0 if none).
fn greeting_len(chunks: &[&str]) -> usize {
    'greetings: for g in GREETINGS {
        if chunks.len() < g.len() {
            continue;
        }
        for (chunk, word) in chunks.iter().zip(g.iter()) {
            let bare = chunk.trim_end_matches(|c: char| !c.is_alphanumeric());
            if !bare.eq_ignore_ascii_case(word) {
                continue 'greetings;
            }
        }
        return g.len();
    }
    0
}

/// How many chunks at the start of `chunks` are a name closed by [`NAME_END`] punctuation:
/// one or two chunks ("Bob," / "Mary Ann,"), each a word or a mention, the last one ending in
/// the punctuation. 0 when there is no such name ("Hi there is a problem" keeps its words).
fn name_len(chunks: &[&str]) -> usize {
    for len in 1..=2 {
        let Some(words) = chunks.get(..len) else {
            return 0;
        };
        let is_word = |w: &str| {
            let w = w.trim_start_matches('@').trim_end_matches(NAME_END);
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_alphanumeric() || "_-'’.@".contains(c))
        };
        if !words.iter().all(|w| is_word(w)) {
            return 0;
        }
        if words[len - 1].ends_with(NAME_END) {
            return len;
        }
    }
    0
}

/// The output of [`normalize`] as it is built, one token at a time.
struct Tokens {
    text: String,
    /// Where the word being built starts in `text`, while one is.
    word_start: Option<usize>,
    /// Whether the word being built has a letter (otherwise it is a number).
    word_has_letter: bool,
    /// A connector seen inside a word ("don't", "e-mail", "19.99"), kept only if the word goes
    /// on after it.
    pending: Option<char>,
    /// Whether the last token was `<emoji>`, so that a run of emoji (even with spaces between
    /// them) is one token: "🔥🔥🔥" and "🔥" are the same decoration.
    last_emoji: bool,
}

impl Tokens {
    fn with_capacity(n: usize) -> Tokens {
        Tokens {
            text: String::with_capacity(n),
            word_start: None,
            word_has_letter: false,
            pending: None,
            last_emoji: false,
        }
    }

    /// Starts a new token: a separating space if needed.
    fn begin(&mut self) {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
    }

    /// Adds a whole placeholder or single-character token.
    fn token(&mut self, t: &str) {
        self.end_word();
        if t == EMOJI {
            if self.last_emoji {
                return;
            }
            self.last_emoji = true;
        } else {
            self.last_emoji = false;
        }
        self.begin();
        self.text.push_str(t);
    }

    /// Adds one (already NFKC) character of a word, lowercased.
    fn word_char(&mut self, c: char) {
        if self.word_start.is_none() {
            self.begin();
            self.word_start = Some(self.text.len());
            self.word_has_letter = false;
            self.last_emoji = false;
        } else if let Some(p) = self.pending.take() {
            self.text.push(p);
        }
        if !c.is_numeric() {
            self.word_has_letter = true;
        }
        if c.is_ascii() {
            self.text.push(c.to_ascii_lowercase());
        } else if c == 'ß' || c == 'ẞ' {
            // Full case folding: German sharp s compares equal to "ss".
            self.text.push_str("ss");
        } else {
            self.text.extend(c.to_lowercase());
        }
    }

    /// Ends the word being built; a word without letters becomes `<num>`.
    fn end_word(&mut self) {
        self.pending = None;
        if let Some(start) = self.word_start.take() {
            if !self.word_has_letter {
                self.text.truncate(start);
                self.text.push_str(NUM);
            }
        }
    }

    /// Processes one whitespace-separated chunk of the text.
    fn chunk(&mut self, chunk: &str) {
        // Fast path for the most common chunk, a plain ASCII word or number.
        if chunk.bytes().all(|b| b.is_ascii_alphanumeric()) {
            self.end_word();
            self.last_emoji = false;
            self.begin();
            if chunk.bytes().all(|b| b.is_ascii_digit()) {
                self.text.push_str(NUM);
            } else {
                let start = self.text.len();
                self.text.push_str(chunk);
                self.text[start..].make_ascii_lowercase();
            }
            return;
        }
        if is_url(chunk) {
            self.token(URL);
            return;
        }
        let mut chars = chunk.chars().peekable();
        while let Some(c) = chars.next() {
            let in_word = self.word_start.is_some();
            let next_is_word = chars.peek().is_some_and(|&n| is_word_char(n));
            if is_word_char(c) {
                if is_cjk(c) {
                    // CJK text has no spaces: each ideograph or kana is a token, so that word
                    // shingles and token edits still mean something.
                    self.end_word();
                    self.last_emoji = false;
                    self.begin();
                    self.text.push(c);
                } else {
                    self.word_char(c);
                }
            } else if in_word && unicode_normalization::char::is_combining_mark(c) {
                self.text.push(c);
            } else if is_invisible(c) {
                // Zero-width characters, variation selectors and the like: they neither show
                // nor separate words, and are a known trick to defeat exact matching.
            } else if is_emoji(c) {
                self.token(EMOJI);
            } else if c == '@' && !in_word && next_is_word {
                // A mention, with an optional `@instance.domain` for fediverse handles.
                while chars
                    .peek()
                    .is_some_and(|&n| n.is_alphanumeric() || n == '_')
                {
                    chars.next();
                }
                if chars.peek() == Some(&'@') {
                    chars.next();
                    while chars
                        .peek()
                        .is_some_and(|&n| n.is_alphanumeric() || n == '.' || n == '-')
                    {
                        chars.next();
                    }
                }
                self.token(USER);
            } else if c == '#' && !in_word && next_is_word {
                // A hashtag is kept as the word it spells.
            } else if in_word && next_is_word && self.pending.is_none() && is_connector(c) {
                self.pending = Some(if c == '’' || c == 'ʼ' { '\'' } else { c });
            } else {
                self.end_word();
            }
        }
        self.end_word();
    }
}

/// Letters and digits of any script.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Punctuation kept inside a word when letters or digits follow it.
fn is_connector(c: char) -> bool {
    matches!(
        c,
        '\'' | '’' | 'ʼ' | '-' | '.' | ',' | ':' | '_' | '/' | '@'
    )
}

/// Characters with no visible form that do not separate words.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{20E3}'
        | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Emoji and pictographs (the blocks that hold them; NFKC has already turned the enclosed
/// letters and digits of these blocks into plain ones).
fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}'
        | '\u{2300}'..='\u{23FF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}')
}

/// Han ideographs, kana and the like: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Whether a whitespace-separated chunk is a link: it has a scheme (`https://`, also inside
/// brackets or after a word and a colon), starts with `www.`, or is a bare `host.tld/path`.
fn is_url(chunk: &str) -> bool {
    let s = chunk.trim_start_matches(|c: char| !c.is_alphanumeric());
    if s.contains("://") {
        return true;
    }
    let b = s.as_bytes();
    if b.len() > 4 && b[..4].eq_ignore_ascii_case(b"www.") {
        return true;
    }
    // "bit.ly/x", "shop.example.com/sale": a dotted host of letters, digits and hyphens, whose
    // last label is at least two letters, then a path.
    let Some(slash) = s.find('/') else {
        return false;
    };
    let host = &s[..slash];
    let Some((_, tld)) = host.rsplit_once('.') else {
        return false;
    };
    tld.len() >= 2
        && tld.bytes().all(|c| c.is_ascii_alphabetic())
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
        && !host.starts_with('.')
}

/// Cuts `text` to at most `max` characters, the last of them `…` where it was cut: for
/// quoting posts in evidence and input in messages.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
            s.push('…');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_replace_what_varies() {
        assert_eq!(
            normalize("Check https://t.co/AbC123 and www.example.com now"),
            "check <url> and <url> now"
        );
        assert_eq!(normalize("(see bit.ly/3xYz)"), "see <url>");
        assert_eq!(
            normalize("@bob @alice@mastodon.social hi"),
            "<user> <user> hi"
        );
        assert_eq!(normalize(".@bob: yes"), "<user> yes");
        assert_eq!(
            normalize("Only $19.99 for 1,000 items in 2024"),
            "only <num> for <num> items in <num>"
        );
        assert_eq!(normalize("#Sale #1 today"), "sale <num> today");
        assert_eq!(
            normalize("great 🔥🔥 🔥 news 👍🏽"),
            "great <emoji> news <emoji>"
        );
        assert_eq!(normalize("👨‍👩‍👧 family"), "<emoji> family");
    }

    #[test]
    fn case_width_and_bold_letters_fold() {
        // LinkedIn "bold" text is mathematical alphanumerics; NFKC makes it plain.
        assert_eq!(normalize("𝐁𝐢𝐠 𝐍𝐞𝐰𝐬"), "big news");
        assert_eq!(normalize("ＦＵＬＬ width"), "full width");
        assert_eq!(normalize("STRASSE Straße"), "strasse strasse");
        assert_eq!(normalize("ÉCOLE école"), "école école");
        // Decomposed é composes to the same string as precomposed é.
        assert_eq!(normalize("e\u{301}cole"), normalize("\u{e9}cole"));
    }

    #[test]
    fn entities_punctuation_and_whitespace() {
        assert_eq!(normalize("Tom &amp; Jerry&#39;s"), "tom jerry's");
        assert_eq!(
            normalize("  Wow!!!   this -- is... \"great\"?!\n\tdon't e-mail  "),
            "wow this is great don't e-mail"
        );
        assert_eq!(normalize("it’s"), "it's");
        assert_eq!(normalize("...!!! ---"), "");
        assert_eq!(normalize(""), "");
        // Zero-width characters do not split or change words.
        assert_eq!(normalize("fr\u{200B}ee gi\u{FEFF}ft"), "free gift");
    }

    #[test]
    fn other_scripts_are_kept() {
        assert_eq!(normalize("Привет МИР"), "привет мир");
        assert_eq!(normalize("नमस्ते दुनिया"), "नमस्ते दुनिया");
        assert_eq!(normalize("今日は"), "今 日 は");
        assert_eq!(normalize("مرحبا"), "مرحبا");
    }

    #[test]
    fn copies_with_different_links_mentions_and_emoji_are_equal() {
        let a = normalize("🚀 Our SPRING SALE is live: https://shop.example/a?utm=1 #deals @bob");
        let b = normalize("Our spring sale is LIVE!! 🎉🎉 https://t.co/xyz #Deals @alice");
        assert_eq!(a.replace("<emoji> ", ""), b.replace(" <emoji>", ""));
        assert_ne!(normalize("spring sale"), normalize("summer sale"));
    }

    #[test]
    fn token_count_counts_tokens() {
        assert_eq!(token_count(""), 0);
        assert_eq!(token_count(&normalize("thanks!")), 1);
        assert_eq!(token_count(&normalize("see you at 5 @bob")), 5);
    }

    #[test]
    fn reply_template_drops_recipients() {
        let a = reply_template("@bob Hi Bob, thanks for reaching out! Please DM us.");
        let b = reply_template("@alice @shop hi alice, Thanks for reaching out!! please dm us");
        assert_eq!(a, "hi thanks for reaching out please dm us");
        assert_eq!(a, b);
        assert_eq!(
            reply_template("Thank you Mary Ann! Order #123 ships soon"),
            "thank you order <num> ships soon"
        );
        assert_eq!(reply_template("Thanks @carol! see you"), "thanks see you");
        // No name closed by punctuation: the words stay.
        assert_eq!(
            reply_template("hi there is a problem with my order"),
            "hi there is a problem with my order"
        );
        assert_eq!(reply_template("Hi, what is this"), "hi what is this");
        assert_eq!(reply_template("@bob"), "");
    }

    #[test]
    fn is_url_is_not_fooled_by_words() {
        assert!(is_url("https://x.com"));
        assert!(is_url("(https://x.com)."));
        assert!(is_url("example.co.uk/path"));
        assert!(!is_url("and/or"));
        assert!(!is_url("e.g./i.e."));
        assert!(!is_url("1.5/2"));
        assert!(!is_url("example.com"));
    }
}
