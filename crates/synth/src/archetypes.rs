//! How each archetype's account is built: a [`Builder`] that mints post ids matching their
//! times, the daily rhythms and reply delays, and one `build_*` function per archetype returning
//! what it counted (the [`Tally`] the labels follow from). Test and benchmark data only.

use chrono::{DateTime, TimeZone, Utc};
use echoscope::model::{created_at_from_id, DirectMessage, Platform, Post, PostKind, Timeline};

use crate::text::{
    brand_slug, capitalise, client_of, fill, human_clients, human_original, human_reply_body,
    other_handle, pool, rng_pick_template, tidy, BRANDS, FIRST_NAMES,
};
use crate::{snowflake, user_id, Rng, Tally};

// ---------------------------------------------------------------------------------------------
// Building posts

/// The longest span a generated account covers, in days (about 13.7 years, all after the
/// Twitter epoch, so that every id still encodes its post's time). An account asked for more
/// posts than its rate fills in that span posts more often instead of reaching back in time.
pub(crate) const MAX_SPAN_DAYS: i64 = 5_000;

/// Days an account of `n` posts at `per_day` covers: at least `min`, at most
/// [`MAX_SPAN_DAYS`].
fn span_days(n: usize, per_day: f64, min: i64) -> i64 {
    ((n as f64 / per_day).ceil() as i64).clamp(min, MAX_SPAN_DAYS)
}

fn ts(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// Collects one account's posts, minting ids that match their times.
pub(crate) struct Builder {
    pub(crate) timeline: Timeline,
    worker: u64,
    seq: u64,
}

impl Builder {
    pub(crate) fn new(handle: String, index: usize) -> Builder {
        Builder {
            timeline: Timeline::new(handle, Platform::Twitter),
            worker: index as u64 & 0x3FF,
            seq: 0,
        }
    }

    fn account_id(&self) -> u64 {
        user_id(&self.timeline.account)
    }

    fn mint(&mut self, rng: &mut Rng, secs: i64) -> String {
        self.seq += 1;
        // Archives show whole seconds; the id carries the milliseconds.
        let ms = secs * 1000 + rng.below(1000) as i64;
        snowflake(ms, self.worker, self.seq).to_string()
    }

    fn post(&mut self, rng: &mut Rng, secs: i64, text: String, client: &str) -> &mut Post {
        let id = self.mint(rng, secs);
        let mut post = Post::new(id, ts(secs), text);
        post.links = links_in(&post.text);
        post.client = Some(client.to_string());
        post.lang = Some("en".into());
        self.timeline.posts.push(post);
        let last = self.timeline.posts.len() - 1;
        &mut self.timeline.posts[last]
    }

    /// A reply posted at `secs`, `latency_ms` after its parent by `to`.
    fn reply(
        &mut self,
        rng: &mut Rng,
        secs: i64,
        latency_ms: i64,
        to: &str,
        body: &str,
        client: &str,
    ) {
        let parent_ms = secs * 1000 - latency_ms.max(0);
        let parent_id = snowflake(parent_ms, user_id(to) & 0x3FF, rng.below(4096)).to_string();
        let post = self.post(rng, secs, format!("@{to} {body}"), client);
        post.kind = PostKind::Reply;
        post.reply_to_account = Some(to.to_string());
        // As a source would: the parent's time comes from its id, never from elsewhere.
        post.reply_to_created_at = created_at_from_id(Platform::Twitter, &parent_id);
        post.reply_to_id = Some(parent_id);
    }

    fn repost(&mut self, rng: &mut Rng, secs: i64, of: &str, text: String, client: &str) {
        let post = self.post(rng, secs, format!("RT @{of}: {text}"), client);
        post.kind = PostKind::Repost;
    }

    fn dm(&mut self, rng: &mut Rng, secs: i64, to: &str, text: String) {
        let me = self.account_id();
        let other = user_id(to);
        let id = self.mint(rng, secs);
        self.timeline.direct_messages.push(DirectMessage {
            conversation_id: format!("{}-{}", me.min(other), me.max(other)),
            id,
            sender: me.to_string(),
            recipient: Some(other.to_string()),
            created_at: ts(secs),
            text,
        });
    }
}

/// Links in a text: the tokens that start with a URL scheme.
pub(crate) fn links_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '!', '?']).to_string())
        .collect()
}

/// Share of a person's posts per local hour: a multi-hour rest from 01:00 to 06:00.
const DIURNAL: [u32; 24] = [
    2, 0, 0, 0, 0, 0, 1, 4, 6, 7, 6, 6, 7, 6, 5, 5, 6, 7, 8, 9, 9, 8, 6, 4,
];
/// Support agents work shifts: 08:00 to 20:00 local.
const WORK_HOURS: [u32; 24] = [
    0, 0, 0, 0, 0, 0, 0, 0, 5, 8, 9, 9, 7, 8, 9, 9, 8, 7, 5, 3, 0, 0, 0, 0,
];

/// A moment on a random day of the last `days` before `end`, at an hour drawn from `profile`
/// in the local zone `tz_hours`.
fn local_time(rng: &mut Rng, end: i64, days: i64, tz_hours: i64, profile: &[u32; 24]) -> i64 {
    let day_start = (end / 86_400 - 1 - rng.range(0, days.max(1))) * 86_400;
    let hour = rng.weighted(profile) as i64;
    let t = day_start + hour * 3600 + rng.range(0, 3600) - tz_hours * 3600;
    if t >= end {
        t - 86_400
    } else {
        t
    }
}

/// A reply delay a person shows: minutes to hours.
fn human_latency_ms(rng: &mut Rng) -> i64 {
    (rng.log_normal(25.0 * 60.0, 1.2, 45.0, 14.0 * 3600.0) * 1000.0) as i64
}

// ---------------------------------------------------------------------------------------------
// Archetypes

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum HumanFlavour {
    Plain,
    Scheduler,
    Resharer,
}

/// A person: originals, replies minutes to hours after the parent to many accounts, a few
/// retweets, a few DMs; all at human hours in the local zone.
pub(crate) fn build_human(
    rng: &mut Rng,
    b: &mut Builder,
    n: usize,
    end: i64,
    flavour: HumanFlavour,
) -> Tally {
    let tz = rng.range(-8, 10);
    let clients = human_clients(rng);
    let per_day = 2.0 + rng.unit() * 6.0;
    let days = span_days(n, per_day, 7);
    let reply_share = 0.2 + rng.unit() * 0.3;
    let mut tally = Tally::default();
    let mut left = n;
    match flavour {
        HumanFlavour::Plain => {}
        HumanFlavour::Resharer if n >= 2 => {
            // The same link with the same words, twice, days apart.
            let url = format!(
                "{}/{}-{}",
                rng.pick(pool("domain").unwrap_or(&["https://example.org"])),
                rng.range(1000, 9999),
                rng.pick(&["read", "story", "explained"])
            );
            let text = tidy(fill(rng, "{link_intro} {subject} {url}", &[("url", &url)]));
            let first = local_time(rng, end, days, tz, &DIURNAL);
            let second = first + rng.range(3, 20) * 86_400;
            let second = if second >= end {
                first - 5 * 86_400
            } else {
                second
            };
            b.post(rng, first, text.clone(), clients.0);
            let client = client_of(rng, clients);
            b.post(rng, second, text, client);
            left -= 2;
        }
        HumanFlavour::Resharer => {}
        HumanFlavour::Scheduler => {
            // Now and then a post via Buffer at a round local time; different words each time.
            let k = (n / 12).max(2).min(n);
            let minute = *rng.pick(&[9 * 60, 12 * 60, 17 * 60 + 30]);
            // Each blog post is announced once: a person schedules news, not re-runs.
            let mut blog_posts_left = 4;
            for _ in 0..k {
                let day_start = (end / 86_400 - 1 - rng.range(0, days)) * 86_400;
                let t = day_start + minute * 60 - tz * 3600 + rng.range(0, 40);
                let t = if t >= end { t - 86_400 } else { t };
                let text = if blog_posts_left > 0 && rng.chance(0.3) {
                    blog_posts_left -= 1;
                    let url = format!(
                        "https://{}.blog.example/p/{}",
                        b.timeline.account,
                        rng.range(100, 999)
                    );
                    tidy(fill(
                        rng,
                        "New on the blog: {blog}. {url}",
                        &[("url", &url)],
                    ))
                } else {
                    human_original(rng)
                };
                b.post(rng, t, text, "Buffer");
                tally.automation_client += 1;
            }
            left -= k;
        }
    }
    for _ in 0..left {
        let t = local_time(rng, end, days, tz, &DIURNAL);
        let client = client_of(rng, clients);
        let r = rng.unit();
        if r < reply_share {
            let to = other_handle(rng);
            let body = human_reply_body(rng);
            let latency = human_latency_ms(rng);
            b.reply(rng, t, latency, &to, &body, client);
        } else if r < reply_share + 0.06 {
            let of = other_handle(rng);
            let text = human_original(rng);
            b.repost(rng, t, &of, text, client);
        } else {
            let mut text = human_original(rng);
            if rng.chance(0.08) {
                let url = format!(
                    "{}/{}",
                    rng.pick(pool("domain").unwrap_or(&["https://example.org"])),
                    rng.range(10_000, 99_999)
                );
                text.push(' ');
                text.push_str(&url);
            }
            b.post(rng, t, text, client);
        }
    }
    if rng.chance(0.3) {
        for _ in 0..rng.range(2, 8) {
            let t = local_time(rng, end, days, tz, &DIURNAL);
            let to = other_handle(rng);
            let text = human_reply_body(rng);
            b.dm(rng, t, &to, text);
        }
    }
    tally
}

/// A person whose replies come in fast back-and-forth bursts with one partner at a time.
pub(crate) fn build_heavy_replier(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let clients = human_clients(rng);
    let per_day = 15.0 + rng.unit() * 15.0;
    let days = span_days(n, per_day, 5);
    let mut left = n;
    while left > 0 {
        if rng.chance(0.25) {
            let t = local_time(rng, end, days, tz, &DIURNAL);
            let text = human_original(rng);
            let client = client_of(rng, clients);
            b.post(rng, t, text, client);
            left -= 1;
            continue;
        }
        let partner = other_handle(rng);
        let turns = (rng.range(3, 11) as usize).min(left);
        let mut parent_ms = local_time(rng, end, days, tz, &DIURNAL) * 1000;
        for _ in 0..turns {
            // Typing takes a person ten seconds at the very least.
            let latency = (rng.log_normal(45.0, 0.6, 10.0, 180.0) * 1000.0) as i64;
            let at = (parent_ms + latency + 999) / 1000;
            let latency = at * 1000 - parent_ms;
            if at >= end {
                break;
            }
            let body = human_reply_body(rng);
            let client = client_of(rng, clients);
            b.reply(rng, at, latency, &partner, &body, client);
            left -= 1;
            parent_ms = at * 1000 + (rng.log_normal(90.0, 0.8, 20.0, 900.0) * 1000.0) as i64;
        }
        if turns == 0 {
            break;
        }
    }
    // A burst cut short at `end` can leave posts unmade: top up with originals.
    while b.timeline.posts.len() < n {
        let t = local_time(rng, end, days, tz, &DIURNAL);
        let text = human_original(rng);
        b.post(rng, t, text, clients.0);
    }
    Tally::default()
}

/// Support agents of one brand: personal replies built around a few stock phrases, minutes
/// after the customer, during working hours; the odd status update.
pub(crate) fn build_support_agent(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let per_day = 6.0 + rng.unit() * 10.0;
    let days = span_days(n, per_day, 5);
    let agents: Vec<&str> = (0..rng.range(2, 5))
        .map(|_| *rng.pick(pool("signature").unwrap_or(&["^JM"])))
        .collect();
    for _ in 0..n {
        let t = local_time(rng, end, days, tz, &WORK_HOURS);
        if rng.chance(0.12) {
            let text = brand_update(rng);
            b.post(rng, t, text, "Twitter Web App");
            continue;
        }
        let to = other_handle(rng);
        let name = capitalise(rng.word(FIRST_NAMES));
        let sig = agents[rng.below(agents.len() as u64) as usize];
        let body = tidy(fill(
            rng,
            "{customer_greeting} {sorry} {issue} {stock} {sig}",
            &[("sig", sig), ("name", &name)],
        ));
        let latency = (rng.log_normal(20.0 * 60.0, 0.9, 120.0, 6.0 * 3600.0) * 1000.0) as i64;
        b.reply(rng, t, latency, &to, &body, "Twitter Web App");
    }
    Tally::default()
}

/// Most posts of one campaign: at the longest period (7 days) it still fits in
/// [`MAX_SPAN_DAYS`]; a larger promotion is split into more campaigns.
const MAX_CAMPAIGN_REPEATS: usize = (MAX_SPAN_DAYS / 7) as usize - 1;

/// One sales campaign: a base post re-published every `period` days at a fixed time of day.
struct Campaign {
    template: &'static str,
    product: &'static str,
    price: i64,
    code: String,
    tags: [&'static str; 3],
    period: i64,
    local_minute: i64,
    repeats: usize,
    shop: String,
}

const SALES_TEMPLATES: &[&str] = &[
    "{sale_emoji} {deal}: our {product} is now just ${price} (was ${old})! Use code {code} at checkout. {cta} 👉 {url} {tags}",
    "Still looking for the perfect {product}? Ours ships free this week, only ${price}. {cta}: {url} {sale_emoji} {tags}",
    "Last chance! {pct}% off every {product} with code {code}. Ends {deadline}. {url} {tags}",
    "New customers get {pct}% off the {product} {sale_emoji} Code: {code} → {url} {tags}",
];

impl Campaign {
    fn new(rng: &mut Rng, brand: &str, repeats: usize) -> Campaign {
        let product = *rng.pick(pool("product").unwrap_or(&["product"]));
        let tag_pool = [
            "#sale",
            "#deal",
            "#shopping",
            "#discount",
            "#giftideas",
            "#musthave",
            "#freeshipping",
        ];
        Campaign {
            template: rng_pick_template(rng, SALES_TEMPLATES),
            product,
            price: rng.range(19, 300),
            code: format!(
                "{}{}",
                rng.pick(&["SAVE", "DEAL", "HELLO", "FLASH", "VIP"]),
                rng.range(1, 5) * 5
            ),
            tags: {
                // Three different tags: walk the pool from a random start.
                let at = rng.below(tag_pool.len() as u64) as usize;
                let step = 1 + rng.below(2) as usize;
                [0, 1, 2].map(|i| tag_pool[(at + i * step) % tag_pool.len()])
            },
            period: *rng.pick(&[2, 3, 4, 5, 7]),
            local_minute: *rng.pick(&[9 * 60, 10 * 60 + 30, 12 * 60, 17 * 60, 19 * 60 + 30]),
            repeats,
            shop: format!("https://{}.example", brand_slug(brand)),
        }
    }

    /// Repeat `k`: the same post with the small changes schedulers' users make (price, emoji,
    /// hashtags, tracking parameters, sometimes the code).
    fn text(&self, rng: &mut Rng, k: usize) -> String {
        let price = self.price + rng.range(-3, 4);
        let old = price + rng.range(10, 60);
        let code = if rng.chance(0.2) {
            format!("{}{}", self.code, rng.range(1, 9))
        } else {
            self.code.clone()
        };
        let url = format!(
            "{}/{}?utm_source=twitter&utm_campaign=wk{}",
            self.shop,
            self.product.replace(' ', "-"),
            k + 1
        );
        let tags = match rng.below(3) {
            0 => self.tags[0].to_string(),
            1 => format!("{} {}", self.tags[0], self.tags[1]),
            _ => format!("{} {}", self.tags[1], self.tags[2]),
        };
        let pct = rng.word(&["10", "15", "20", "25", "30"]);
        tidy(fill(
            rng,
            self.template,
            &[
                ("product", self.product),
                ("price", &price.to_string()),
                ("old", &old.to_string()),
                ("code", &code),
                ("url", &url),
                ("tags", &tags),
                ("pct", pct),
            ],
        ))
    }
}

/// Publishes the campaigns over the last `days` before `end`; returns the posts made.
fn publish(
    rng: &mut Rng,
    b: &mut Builder,
    campaigns: &[Campaign],
    end: i64,
    tz: i64,
    client: &str,
) -> usize {
    let mut made = 0;
    for c in campaigns {
        let span = c.repeats as i64 * c.period;
        let first_day = end / 86_400 - span - 1;
        for k in 0..c.repeats {
            let day = first_day + k as i64 * c.period;
            // Schedulers post on the minute; the queue adds a few seconds.
            let t = day * 86_400 + c.local_minute * 60 - tz * 3600 + rng.range(0, 50);
            let t = if t >= end { t - 86_400 } else { t };
            let text = c.text(rng, k);
            b.post(rng, t, text, client);
            made += 1;
        }
    }
    made
}

/// Splits `total` posts into `parts` near-equal campaign sizes.
fn split(total: usize, parts: usize) -> Vec<usize> {
    let parts = parts.max(1);
    (0..parts)
        .map(|i| total / parts + usize::from(i < total % parts))
        .collect()
}

fn brand_of(account: &str) -> &'static str {
    BRANDS
        .iter()
        .find(|b| account.starts_with(&brand_slug(b)))
        .copied()
        .unwrap_or("Northwind")
}

/// A post by the person behind a brand account at `t`: a reply at human speed with chance
/// `reply_share`, else a brand update.
fn staff_post(rng: &mut Rng, b: &mut Builder, t: i64, reply_share: f64, client: &str) {
    if rng.chance(reply_share) {
        let to = other_handle(rng);
        let body = human_reply_body(rng);
        let latency = human_latency_ms(rng);
        b.reply(rng, t, latency, &to, &body, client);
    } else {
        let text = brand_update(rng);
        b.post(rng, t, text, client);
    }
}

/// Brand posts written by a person: product news, hiring, shop hours.
fn brand_update(rng: &mut Rng) -> String {
    let t = *rng.pick(pool("brand_update").unwrap_or(&["News from the shop."]));
    tidy(fill(rng, t, &[]))
}

pub(crate) fn build_promoter(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let brand = brand_of(&b.timeline.account);
    let client = *rng.pick(&["Buffer", "Hootsuite Inc."]);
    let n_promo = ((n as f64 * (0.55 + rng.unit() * 0.15)).round() as usize).min(n);
    let n_campaigns = (rng.range(1, 4) as usize)
        .min((n_promo / 6).max(1))
        .max(n_promo.div_ceil(MAX_CAMPAIGN_REPEATS));
    let campaigns: Vec<Campaign> = split(n_promo, n_campaigns)
        .into_iter()
        .map(|r| Campaign::new(rng, brand, r))
        .collect();
    let made = publish(rng, b, &campaigns, end, tz, client);
    let days = campaigns
        .iter()
        .map(|c| c.repeats as i64 * c.period)
        .max()
        .unwrap_or(7)
        .max(7);
    let clients = human_clients(rng);
    for _ in 0..n - made {
        let t = local_time(rng, end, days, tz, &DIURNAL);
        staff_post(rng, b, t, 0.3, clients.0);
    }
    Tally {
        promo: made,
        longest_schedule: campaigns.iter().map(|c| c.repeats).max().unwrap_or(0),
        automation_client: made,
        machine_timed: made,
        ..Tally::default()
    }
}

const AUTO_REPLIES: &[&str] = &[
    "Hi {name}, thanks for reaching out! Our team will get back to you within 24 hours.",
    "Hey {name}! Thanks for your message{emoji_ok} A member of our support team will reply shortly. Ref #{ticket}",
    "Thank you for contacting {brand}! We have received your request and will respond within 1 business day.",
    "Thanks for the mention, {name}! We're on it, expect a reply from our team soon.",
    "Hi {name}! We've logged your message (case {ticket}). Our agents reply within 24h, thanks for your patience.",
];

/// Templated replies seconds after the parent, at any hour; auto-DMs for some.
fn auto_replies(
    rng: &mut Rng,
    b: &mut Builder,
    count: usize,
    days: i64,
    end: i64,
    brand: &str,
    client: &str,
) {
    let first = rng_pick_template(rng, AUTO_REPLIES);
    let second = rng_pick_template(rng, AUTO_REPLIES);
    let start = end - days * 86_400;
    for _ in 0..count {
        let t = rng.range(start, end);
        let to = other_handle(rng);
        let name = capitalise(rng.word(FIRST_NAMES));
        let template = if rng.chance(0.8) { first } else { second };
        let ticket = rng.range(10_000, 99_999).to_string();
        let emoji = rng.word(&[" 🙏", " 😊", ".", "!", " ✅"]);
        let body = tidy(fill(
            rng,
            template,
            &[
                ("name", &name),
                ("brand", brand),
                ("ticket", &ticket),
                ("emoji_ok", emoji),
            ],
        ));
        let latency = rng.range(1_000, 30_001);
        b.reply(rng, t, latency, &to, &body, client);
    }
}

fn auto_dms(rng: &mut Rng, b: &mut Builder, count: usize, days: i64, end: i64, brand: &str) {
    let code = format!("WELCOME{}", rng.range(1, 4) * 5);
    let url = format!("https://{}.example/welcome", brand_slug(brand));
    for _ in 0..count {
        let t = rng.range(end - days * 86_400, end);
        let to = other_handle(rng);
        let name = capitalise(rng.word(FIRST_NAMES));
        let text = format!(
            "Hi {name}, thanks for following {brand}! 🎉 Here's a little welcome gift: code {code} for your first order at {url}"
        );
        b.dm(rng, t, &to, text);
    }
}

pub(crate) fn build_auto_responder(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-8, 10);
    let brand = brand_of(&b.timeline.account);
    let client = *rng.pick(&["Sprout Social", "Zendesk", "Freshdesk", "SocialReply Bot"]);
    let n_auto = ((n as f64 * 0.85).round() as usize).min(n);
    let per_day = 6.0 + rng.unit() * 20.0;
    let days = span_days(n_auto, per_day, 3);
    auto_replies(rng, b, n_auto, days, end, brand, client);
    for _ in n_auto..n {
        let t = local_time(rng, end, days, tz, &WORK_HOURS);
        let text = brand_update(rng);
        b.post(rng, t, text, "Twitter Web App");
    }
    let mut tally = Tally {
        auto_replies: n_auto,
        automation_client: n_auto,
        machine_timed: n_auto,
        ..Tally::default()
    };
    if rng.chance(0.6) {
        let k = (n / 4).max(3);
        auto_dms(rng, b, k, days, end, brand);
        tally.auto_dms = k;
    }
    tally
}

const HEADLINES: &[&str] = &[
    "{org} {news_verb} {news_thing} in {city}",
    "{big} {people} {event} after {cause} in {city}",
    "{city} council {decision} {policy} after {cause}",
    "Police {police_action} near {landmark} in {city} after {cause}",
    "{team_cap} {result} {team} in {match_kind}",
    "Weather: {weather_news} expected across {region} {day}, {weather_tail}",
    "Markets: {index} {move} as {econ_cause} and {company_news}",
    "Opinion: {city_cap} should {opinion_verb} {policy}",
    "{person_role} {celeb_action} at {venue} in {city}",
    "{org} study finds {study_finding}",
    "Traffic: {road_issue} on the {road} near {city}, delays expected {day}",
    "{org} {news_verb} {news_thing} after {cause}",
];

/// A feed: a different headline every hour, around the clock, each with its own link.
pub(crate) fn build_newsroom(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let outlet = b
        .timeline
        .account
        .split('_')
        .next()
        .unwrap_or("news")
        .to_string();
    let client = *rng.pick(&["dlvr.it", "SocialFlow", "IFTTT", "WordPress.com"]);
    // A feed of many posts publishes more often rather than reaching back past
    // [`MAX_SPAN_DAYS`].
    let interval: i64 = *rng.pick(&[3600, 3600, 1800]);
    let interval = interval.min((MAX_SPAN_DAYS * 86_400 / n.max(1) as i64).max(60));
    let start = (end - n as i64 * interval) / 3600 * 3600;
    // A desk never runs the same story twice: redraw a headline whose words were used before.
    let mut seen = std::collections::HashSet::new();
    for k in 0..n {
        let t = start + k as i64 * interval + rng.range(0, 180);
        let mut headline = String::new();
        for _ in 0..8 {
            let template = rng_pick_template(rng, HEADLINES);
            headline = tidy(fill(rng, template, &[]));
            let words: String = headline
                .chars()
                .filter(|c| c.is_alphabetic() || *c == ' ')
                .collect();
            if seen.insert(words) {
                break;
            }
        }
        let date = ts(t).format("%Y/%m/%d");
        let slug: String = headline
            .split_whitespace()
            .take(6)
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let url = format!(
            "https://{outlet}.example/{date}/{slug}-{}",
            rng.range(100_000, 999_999)
        );
        b.post(rng, t, format!("{headline} {url}"), client);
    }
    Tally {
        automation_client: n,
        machine_timed: n,
        ..Tally::default()
    }
}

/// The demo brand: a scheduled promotion, an auto-responder with auto-DMs, and the social
/// media manager's own posts and replies.
pub(crate) fn build_brand(rng: &mut Rng, b: &mut Builder, n: usize, end: i64) -> Tally {
    let tz = rng.range(-5, 3);
    let brand = brand_of(&b.timeline.account);
    let n_promo = n * 35 / 100;
    let n_auto = n * 35 / 100;
    let n_campaigns = if n_promo >= 12 { 2 } else { 1 };
    let n_campaigns = n_campaigns.max(n_promo.div_ceil(MAX_CAMPAIGN_REPEATS));
    let campaigns: Vec<Campaign> = split(n_promo, n_campaigns)
        .into_iter()
        .map(|r| Campaign::new(rng, brand, r))
        .collect();
    let made = publish(rng, b, &campaigns, end, tz, "Buffer");
    let days = campaigns
        .iter()
        .map(|c| c.repeats as i64 * c.period)
        .max()
        .unwrap_or(7)
        .max(7);
    auto_replies(rng, b, n_auto, days, end, brand, "Sprout Social");
    let dms = (n / 10).max(3);
    auto_dms(rng, b, dms, days, end, brand);
    let clients = human_clients(rng);
    for _ in 0..n.saturating_sub(made + n_auto) {
        let t = local_time(rng, end, days, tz, &WORK_HOURS);
        staff_post(rng, b, t, 0.35, clients.0);
    }
    Tally {
        promo: made,
        longest_schedule: campaigns.iter().map(|c| c.repeats).max().unwrap_or(0),
        auto_replies: n_auto,
        auto_dms: dms,
        automation_client: made + n_auto,
        machine_timed: made + n_auto,
    }
}
