//! Promotional markers of one post: a shop link, a coupon code, a price or discount, or a call
//! to action (English with German, French and Spanish basics). `promotion_ratio` weighs them
//! over a timeline; `scheduled_repeat` calls a repeated post promotional when it has one.
//!
//! Markers are simple patterns, so one post says little. Link shorteners and `utm_` tracking
//! parameters count only beside another marker: people share news links carrying
//! `utm_source=share` all the time.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::Post;

/// A promotional marker found in a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Marker {
    /// A link to a shop, product or landing page.
    ShopLink,
    /// A coupon or discount code.
    Coupon,
    /// A price or discount ("$19.99", "50% off").
    Price,
    /// A call to action ("buy now", "sign up", "link in bio").
    CallToAction,
}

impl Marker {
    /// The marker in words, for evidence notes.
    pub fn as_str(self) -> &'static str {
        match self {
            Marker::ShopLink => "shop link",
            Marker::Coupon => "coupon code",
            Marker::Price => "price",
            Marker::CallToAction => "call to action",
        }
    }

    /// The marker's plural, for summaries.
    pub fn plural(self) -> &'static str {
        match self {
            Marker::ShopLink => "shop links",
            Marker::Coupon => "coupon codes",
            Marker::Price => "prices",
            Marker::CallToAction => "calls to action",
        }
    }
}

/// Builds a pattern known to be valid at compile time of this file; a test compiles them all.
/// Should one ever fail, it matches nothing rather than panicking.
fn pattern(src: &str) -> Regex {
    Regex::new(src).unwrap_or_else(|_| Regex::new("$^").unwrap_or_else(|_| unreachable!()))
}

// Word boundaries are ASCII (`(?-u:\b)`): Unicode boundaries force the regex engine off its
// fast DFA onto the PikeVM, which made these three patterns most of a scan's time. The words
// matched are ASCII at their edges, so nothing is lost.
static URL: LazyLock<Regex> = LazyLock::new(|| pattern(r"(?i)(?-u:\b)https?://[^\s<>]+"));

static COUPON: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)(?-u:\b)(?:use|with|enter|apply)\s+(?:the\s+|my\s+|our\s+)?(?:promo\s+|discount\s+|coupon\s+)?code(?-u:\b)",
        r"|(?-u:\b)(?:promo|coupon|discount|voucher|rabatt|gutschein)[\s-]?codes?(?-u:\b)",
        r"|(?-u:\b)code\s*:?\s*(?-i:[A-Z][A-Z0-9]*[0-9][A-Z0-9]*|[A-Z]{4,}[0-9]*)(?-u:\b)",
        r"|(?-u:\b)coupons?(?-u:\b)|(?-u:\b)code promo(?-u:\b)|(?-u:\b)c[oó]digo (?:de descuento|promocional)(?-u:\b)|(?-u:\b)cup[oó]n(?-u:\b)",
    ))
});

static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)[$€£¥]\s?\d",
        r"|\d\s?[€£]",
        r"|(?-u:\b)\d+(?:[.,]\d+)?\s?(?:usd|eur|gbp|euros?|dollars?)(?-u:\b)",
        r"|(?-u:\b)\d{1,2}\s?%\s?(?:off|rabatt|discount|descuento|de (?:réduction|remise|descuento))(?-u:\b)",
        r"|(?:^|\s)-\d{1,2}\s?%",
        r"|(?-u:\b)free shipping(?-u:\b)|(?-u:\b)versandkostenfrei(?-u:\b)|(?-u:\b)livraison gratuite(?-u:\b)|(?-u:\b)env[ií]o gratis(?-u:\b)",
        r"|(?-u:\b)(?:on sale|flash sale|sale ends|half[- ]price)(?-u:\b)",
    ))
});

static CALL_TO_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)(?-u:\b)(?:buy|shop|order|book|subscribe|register|download) (?:it |yours |them )?now(?-u:\b)",
        r"|(?-u:\b)sign up(?-u:\b)|(?-u:\b)limited[- ]time(?-u:\b)|(?-u:\b)link in (?:my |our |the )?bio(?-u:\b)",
        r"|(?-u:\b)don['’]?t miss(?-u:\b)|(?-u:\b)dm (?:us |me )?(?:to|for) (?:order|buy|details|pricing)(?-u:\b)",
        r"|(?-u:\b)(?:get|grab) yours(?-u:\b)|(?-u:\b)while (?:supplies|stocks?) lasts?(?-u:\b)|(?-u:\b)pre-?order(?-u:\b)",
        r"|(?-u:\b)jetzt (?:kaufen|bestellen|anmelden|sichern|buchen)(?-u:\b)|(?-u:\b)nur für kurze zeit(?-u:\b)",
        r"|(?-u:\b)achetez(?-u:\b)|(?-u:\b)commandez(?-u:\b)|(?-u:\b)inscrivez-vous(?-u:\b)|(?-u:\b)offre limitée(?-u:\b)|(?-u:\b)durée limitée(?-u:\b)",
        r"|(?-u:\b)c[oó]mpr(?:a|alo) (?:ya|ahora)(?-u:\b)|(?-u:\b)p[ií]delo ya(?-u:\b)|(?-u:\b)reg[ií]strate(?-u:\b)",
        r"|(?-u:\b)por tiempo limitado(?-u:\b)|(?-u:\b)oferta limitada(?-u:\b)",
    ))
});

/// Hosts that are shops or product pages by themselves (suffix match on the host).
const SHOP_HOSTS: &[&str] = &[
    "amzn.to",
    "amzn.eu",
    "amzn.com",
    "etsy.com",
    "etsy.me",
    "gumroad.com",
    "gum.co",
    "myshopify.com",
    "payhip.com",
    "redbubble.com",
    "teespring.com",
    "spreadshirt.com",
    "bonfire.com",
    "lemonsqueezy.com",
    "stan.store",
    "aliexpress.com",
];

/// Path parts that mean a product, cart or shop page.
const SHOP_PATHS: &[&str] = &[
    "/products/",
    "/product/",
    "/shop",
    "/store",
    "/cart",
    "/checkout",
    "/buy",
];

/// Link shorteners: marketers use them, so does everyone else (weak marker).
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "ow.ly",
    "buff.ly",
    "t.ly",
    "rebrand.ly",
    "shorturl.at",
    "is.gd",
    "goo.gl",
    "cutt.ly",
    "rb.gy",
];

/// How strongly a link points at a shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum LinkKind {
    Plain,
    /// A shortener or a `utm_` parameter: counts only beside another marker.
    Weak,
    Shop,
}

fn host_is(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

fn classify_link(url: &str) -> LinkKind {
    let lower = url.to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(split);
    let host = host.trim_start_matches("www.");
    let host = host.split(':').next().unwrap_or(host);
    let amazon_product = host.contains("amazon.")
        && (path.contains("/dp/") || path.contains("/gp/product") || path.contains("tag="));
    if host.starts_with("shop.")
        || host.starts_with("store.")
        || host.contains("ebay.")
        || amazon_product
        || SHOP_HOSTS.iter().any(|d| host_is(host, d))
        || SHOP_PATHS.iter().any(|p| path.contains(p))
    {
        LinkKind::Shop
    } else if SHORTENERS.iter().any(|d| host_is(host, d)) || path.contains("utm_") {
        LinkKind::Weak
    } else {
        LinkKind::Plain
    }
}

/// The promotional markers in one post (empty for conversation), sorted, each at most once.
pub fn markers(post: &Post) -> Vec<Marker> {
    let (link_kind, bare) = links_and_bare_text(post);
    let mut out = Vec::new();
    if link_kind == LinkKind::Shop {
        out.push(Marker::ShopLink);
    }
    if COUPON.is_match(&bare) {
        out.push(Marker::Coupon);
    }
    if PRICE.is_match(&bare) {
        out.push(Marker::Price);
    }
    if CALL_TO_ACTION.is_match(&bare) {
        out.push(Marker::CallToAction);
    }
    if link_kind == LinkKind::Weak && !out.is_empty() {
        out.push(Marker::ShopLink);
    }
    out.sort();
    out
}

/// The strongest kind among the post's links (its link list and the URLs in its text), and
/// the text with each URL replaced by a space: prices and codes are looked for without the
/// URLs, whose paths are full of digits and capitals. One pass over the URLs does both.
fn links_and_bare_text(post: &Post) -> (LinkKind, Cow<'_, str>) {
    let text = post.text.as_str();
    let mut link_kind = post
        .links
        .iter()
        .map(|l| classify_link(l))
        .max()
        .unwrap_or(LinkKind::Plain);
    let mut bare = String::new();
    let mut last = 0;
    for m in URL.find_iter(text) {
        link_kind = link_kind.max(classify_link(m.as_str()));
        bare.push_str(&text[last..m.start()]);
        bare.push(' ');
        last = m.end();
    }
    if last == 0 && bare.is_empty() {
        return (link_kind, Cow::Borrowed(text));
    }
    bare.push_str(&text[last..]);
    (link_kind, Cow::Owned(bare))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn post(text: &str) -> Post {
        Post::new(
            "1",
            Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
            text,
        )
    }

    fn m(text: &str) -> Vec<Marker> {
        markers(&post(text))
    }

    #[test]
    fn patterns_compile() {
        for re in [&*URL, &*COUPON, &*PRICE, &*CALL_TO_ACTION] {
            assert!(re.as_str() != "$^");
            assert!(Regex::new(re.as_str()).is_ok());
        }
    }

    #[test]
    fn markers_found() {
        assert_eq!(
            m("Spring sale! Use code SAVE20 for 20% off, buy now https://shop.example.com/x"),
            vec![
                Marker::ShopLink,
                Marker::Coupon,
                Marker::Price,
                Marker::CallToAction
            ]
        );
        assert_eq!(m("Only $19.99 this week"), vec![Marker::Price]);
        assert_eq!(
            m("Jetzt nur 5 € – jetzt bestellen!"),
            vec![Marker::Price, Marker::CallToAction]
        );
        assert_eq!(
            m("-30% sur tout, commandez vite"),
            vec![Marker::Price, Marker::CallToAction]
        );
        assert_eq!(
            m("Envío gratis, cómpralo ya"),
            vec![Marker::Price, Marker::CallToAction]
        );
        assert_eq!(
            m("Promo code inside, link in bio"),
            vec![Marker::Coupon, Marker::CallToAction]
        );
        assert_eq!(
            m("new drop https://example.com/products/mug"),
            vec![Marker::ShopLink]
        );
        assert_eq!(m("https://amzn.to/3abc"), vec![Marker::ShopLink]);
        let mut p = post("my new book");
        p.links
            .push("https://www.amazon.com/dp/B000123?tag=me-20".into());
        assert_eq!(markers(&p), vec![Marker::ShopLink]);
    }

    #[test]
    fn conversation_has_no_markers() {
        assert!(m(
            "I think you're right about the code review, see https://github.com/a/b/pull/12"
        )
        .is_empty());
        assert!(m("Meeting at 10:30, room 4").is_empty());
        assert!(m("we won 3-1 tonight!").is_empty());
        assert!(m("the code is on github").is_empty());
    }

    #[test]
    fn shorteners_and_utm_need_another_marker() {
        assert!(m("great read https://bit.ly/abc").is_empty());
        assert!(m("news https://example.org/a?utm_source=share").is_empty());
        assert_eq!(
            m("sign up today https://bit.ly/abc"),
            vec![Marker::ShopLink, Marker::CallToAction]
        );
    }

    #[test]
    fn urls_are_cut_out_before_prices_and_codes() {
        // Prices and codes in a URL's path are not prices or codes.
        assert!(m("see https://example.com/$19/x").is_empty());
        assert!(m("https://example.com/p/CODE2024 is the link").is_empty());
        // The rest of the text around the URLs is still read.
        assert_eq!(
            m("at https://example.org/a only $5 https://example.org/b today"),
            vec![Marker::Price]
        );
    }
}
