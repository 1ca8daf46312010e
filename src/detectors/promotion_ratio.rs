//! `promotion_ratio`: how much of what an account writes itself is selling, against how much
//! is talking with people.
//!
//! A post is promotional when it carries a marker: a shop link, a coupon code, a price or
//! discount, or a call to action (English with German, French and Spanish basics). Markers are
//! simple patterns, so one post says little; the ratio over a timeline says a lot. An account
//! whose own posts (originals and quotes) are mostly promotional while it hardly ever replies
//! to anyone is broadcasting, not conversing, the habit promotion schedulers produce. Link
//! shorteners and `utm_` tracking parameters count only beside another marker: people share
//! news links carrying `utm_source=share` all the time.
//!
//! Severity: `medium` when at least `medium_ratio` (60%) of own posts are promotional and fewer
//! than `medium_max_conversation` (10%) of posts are replies to others, over at least
//! `min_posts` (20) posts; `high` when at least `high_ratio` (80%) are promotional and fewer than
//! `high_max_conversation` (5%) are replies, over at least `high_min_posts` (50). Selling by
//! itself is not automation, which is why the score caps this detector low.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::auto_reply::replies_to_others;
use super::automation_client::spread;
use super::{Context, Detector};
use crate::model::{Evidence, Finding, Outcome, Severity, MAX_EVIDENCE};
use crate::model::{Post, PostKind};

/// The detector's id: file name, config key, JSON field and metric label.
pub const ID: &str = "promotion_ratio";

/// `[detectors.promotion_ratio]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub enabled: bool,
    /// Fewest posts (reposts not counted) before any finding.
    pub min_posts: usize,
    /// Fewest own posts (originals and quotes) before any finding.
    pub min_own_posts: usize,
    /// Promotional share of own posts for `medium`.
    pub medium_ratio: f64,
    /// Replies to others must be below this share of posts for `medium`.
    pub medium_max_conversation: f64,
    /// Promotional share of own posts for `high`.
    pub high_ratio: f64,
    /// Replies to others must be below this share of posts for `high`.
    pub high_max_conversation: f64,
    /// Fewest posts for `high`.
    pub high_min_posts: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            min_posts: 20,
            min_own_posts: 10,
            medium_ratio: 0.6,
            medium_max_conversation: 0.1,
            high_ratio: 0.8,
            high_max_conversation: 0.05,
            high_min_posts: 50,
        }
    }
}

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
/// Shared with `scheduled_repeat`, which raises severity for promotional repeats.
pub fn markers(post: &Post) -> Vec<Marker> {
    let text = post.text.as_str();
    let mut out = Vec::new();
    let link_kind = post
        .links
        .iter()
        .map(String::as_str)
        .chain(URL.find_iter(text).map(|m| m.as_str()))
        .map(classify_link)
        .max()
        .unwrap_or(LinkKind::Plain);
    if link_kind == LinkKind::Shop {
        out.push(Marker::ShopLink);
    }
    // Prices and codes are looked for in the text without its URLs, whose paths are full of
    // digits and capitals.
    let bare = URL.replace_all(text, " ");
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

pub struct PromotionRatio;

impl Detector for PromotionRatio {
    fn id(&self) -> &'static str {
        ID
    }

    fn run(&self, ctx: &Context<'_>) -> Outcome {
        let cfg = &ctx.config.promotion_ratio;
        let posts = &ctx.timeline.posts;
        let mut out = Outcome::default();

        let written = posts.iter().filter(|p| p.kind != PostKind::Repost).count();
        if written == 0 {
            return out;
        }
        let conversation = replies_to_others(ctx.timeline).len();
        let conversation_share = conversation as f64 / written as f64;
        out.stats
            .insert("conversation_share".into(), conversation_share);

        let mut own = 0usize;
        let mut promotional: Vec<(usize, Vec<Marker>)> = Vec::new();
        for (i, p) in posts.iter().enumerate() {
            if !matches!(p.kind, PostKind::Original | PostKind::Quote) {
                continue;
            }
            own += 1;
            let m = markers(p);
            if !m.is_empty() {
                promotional.push((i, m));
            }
        }
        if own == 0 {
            return out;
        }
        let ratio = promotional.len() as f64 / own as f64;
        out.stats.insert("promotion_ratio".into(), ratio);

        if written < cfg.min_posts || own < cfg.min_own_posts {
            return out;
        }
        let severity = if written >= cfg.high_min_posts
            && ratio >= cfg.high_ratio
            && conversation_share < cfg.high_max_conversation
        {
            Severity::High
        } else if ratio >= cfg.medium_ratio && conversation_share < cfg.medium_max_conversation {
            Severity::Medium
        } else {
            return out;
        };

        let mut numbers = BTreeMap::new();
        numbers.insert("own_posts".into(), own as f64);
        numbers.insert("promotional_posts".into(), promotional.len() as f64);
        numbers.insert("replies_to_others".into(), conversation as f64);
        numbers.insert("promotion_ratio".into(), ratio);
        numbers.insert("conversation_share".into(), conversation_share);
        let mut kinds: BTreeMap<Marker, usize> = BTreeMap::new();
        for (_, ms) in &promotional {
            for m in ms {
                *kinds.entry(*m).or_default() += 1;
            }
        }
        let mut ranked: Vec<(Marker, usize)> = kinds.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let kinds_words = ranked
            .iter()
            .map(|(m, n)| format!("{n} with {}", m.plural()))
            .collect::<Vec<_>>()
            .join(", ");
        for (m, n) in &ranked {
            numbers.insert(format!("{}_posts", m.as_str().replace(' ', "_")), *n as f64);
        }

        let picks: Vec<usize> = (0..promotional.len()).collect();
        let evidence = spread(&picks, MAX_EVIDENCE)
            .into_iter()
            .filter_map(|k| promotional.get(k))
            .filter_map(|(i, ms)| {
                let words: Vec<&str> = ms.iter().map(|m| m.as_str()).collect();
                posts
                    .get(*i)
                    .map(|p| Evidence::of(p, Some(words.join(", "))))
            })
            .collect();

        out.findings.push(Finding {
            detector: ID.into(),
            severity,
            summary: format!(
                "{} of {} own posts ({:.0}%) are promotional ({}), and only {} of {} posts ({:.0}%) {} a reply to someone else",
                promotional.len(),
                own,
                ratio * 100.0,
                kinds_words,
                conversation,
                written,
                conversation_share * 100.0,
                if conversation == 1 { "is" } else { "are" },
            ),
            template: None,
            schedule: None,
            numbers,
            evidence,
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Config as All;
    use crate::model::{Platform, Timeline};
    use chrono::{Duration, TimeZone, Utc};

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

    fn timeline(promo: usize, plain: usize, replies: usize) -> Timeline {
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
        let mut tl = Timeline::new("shop", Platform::Twitter);
        let mut n = 0i64;
        let mut add = |text: String, reply: bool| {
            let mut p = Post::new(format!("{n}"), t0 + Duration::hours(7 * n), text);
            if reply {
                p.kind = PostKind::Reply;
                p.reply_to_account = Some(format!("user{n}"));
                p.reply_to_id = Some(format!("x{n}"));
            }
            tl.posts.push(p);
            n += 1;
        };
        for i in 0..promo {
            add(
                format!("Mug #{i} only $12, shop now https://shop.example.com/m{i}"),
                false,
            );
        }
        for i in 0..plain {
            add(format!("what a lovely morning walk {i}"), false);
        }
        for i in 0..replies {
            add(format!("@user{i} good point, thanks"), true);
        }
        tl.finish();
        tl
    }

    fn run(tl: &Timeline) -> Outcome {
        let cfg = All::default();
        PromotionRatio.run(&Context::new(tl, &cfg, Utc::now()))
    }

    #[test]
    fn a_broadcasting_shop_is_high() {
        let out = run(&timeline(55, 5, 1));
        assert_eq!(out.findings.len(), 1);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::High);
        assert!(
            f.summary
                .starts_with("55 of 60 own posts (92%) are promotional (55 with shop links, 55 with prices, 55 with calls to action)"),
            "{}",
            f.summary
        );
        assert!(
            f.summary.contains("only 1 of 61 posts (2%) is a reply"),
            "{}",
            f.summary
        );
        assert_eq!(f.evidence.len(), MAX_EVIDENCE);
        assert!((out.stats["promotion_ratio"] - 55.0 / 60.0).abs() < 1e-9);
    }

    #[test]
    fn mostly_promotion_in_a_small_timeline_is_medium() {
        let out = run(&timeline(16, 8, 1));
        assert_eq!(out.findings[0].severity, Severity::Medium);
    }

    #[test]
    fn a_shop_that_talks_with_people_is_not_flagged() {
        let out = run(&timeline(40, 5, 20));
        assert!(out.findings.is_empty());
        assert!(out.stats["conversation_share"] > 0.3);
    }

    #[test]
    fn a_person_is_not_flagged_and_small_timelines_are_left_alone() {
        assert!(run(&timeline(3, 40, 2)).findings.is_empty());
        let out = run(&timeline(10, 0, 0));
        assert!(out.findings.is_empty());
        assert_eq!(out.stats["promotion_ratio"], 1.0);
        assert!(run(&Timeline::new("x", Platform::Other)).stats.is_empty());
    }
}
