//! `bluesky_car` source: a Bluesky (atproto) repository export, the `repo.car` that
//! `com.atproto.sync.getRepo` returns (or the app's "Export my data"), recognised by [`sniff`]
//! and read by [`read`].
//!
//! The file is a CARv1: a DAG-CBOR header `{version: 1, roots: [commit]}`, then blocks, each a
//! length-prefixed CID and DAG-CBOR bytes. Framing is read by `iroh-car` (which refuses a block
//! longer than [`MAX_BLOCK_BYTES`] before allocating it) and blocks are decoded by
//! `serde_ipld_dagcbor` into the few shapes used here; no CBOR is decoded by hand. Block order
//! means nothing, and records carry no path of their own: the record key (`collection/rkey`)
//! comes only from walking the Merkle search tree (MST) from the commit's `data` root, whose
//! node entries are prefix-compressed (`p` bytes shared with the previous key, then the suffix
//! `k`). Current repositories (v3, the commit has `rev`) and legacy ones (v2, commits chained by
//! `prev`) have the same tree.
//!
//! Memory stays bounded by what is kept, not by the file: while streaming, only tree nodes
//! (a key suffix and two CIDs per entry), the root commit and the posts and reposts (already
//! reduced to their fields) are kept; likes, follows, profiles and other records are dropped as
//! they pass. Reading stops at [`Limits::max_records`] blocks.
//!
//! Posts (`app.bsky.feed.post`): `text`, `createdAt`, `reply.parent` (a reply; the parent's
//! record key is a TID, so its time is known), quotes as `embed` of type `app.bsky.embed.record`
//! or `recordWithMedia`, links from `#link` facets and external embeds, the first of `langs`.
//! Facets carry their targets whole (`uri`, `did`), so their UTF-8 byte offsets (which locate
//! the shortened display text) are not needed. Reposts (`app.bsky.feed.repost`) become reposts
//! without text, with the id the public AppView source gives them (`<subject>#repost`), so the
//! two sources agree. `createdAt` is the client's clock: when it is missing, unreadable, earlier
//! than Bluesky or more than a day after the record key's own time, the time is taken from the
//! record key (a TID, microseconds since 1970, minted by the server at write time) and the report
//! says so in a note. The repository has no posting client ([`Gap::Client`]).

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use chrono::{DateTime, Utc};
use ipld_core::cid::Cid;
use iroh_car::CarReader;
use serde::Deserialize;

use super::archive::{Archive, ArchiveKind, Entry, EntryError};
use super::gaps::{self, Gap};
use super::{Batch, Content, Limits, Sniff, SourceError, Verdict};
use crate::model::{created_at_from_id, Platform, Post, PostKind, Skipped, Timeline};

/// The collections read; every other record is dropped while streaming.
const POST: &str = "app.bsky.feed.post";
const REPOST: &str = "app.bsky.feed.repost";

/// The largest block accepted: `iroh-car`'s own bound (its `MAX_ALLOC`), checked on the length
/// prefix before any allocation. atproto records are far smaller (the lexicons cap a post at
/// 300 graphemes); a longer prefix is a damaged or hostile file and ends the read with a clear
/// error.
pub const MAX_BLOCK_BYTES: u64 = 4 << 20;

/// 2022-09-01T00:00:00Z: no Bluesky record is older (the first staging repositories date from
/// late 2022). An earlier `createdAt` is a wrong client clock or a backdated import.
const FIRST_PLAUSIBLE_SECS: i64 = 1_661_990_400;

/// How far a `createdAt` may run ahead of the record key's time before it is not believed.
const MAX_AHEAD_OF_KEY_SECS: i64 = 24 * 3600;

/// The web address of a post: `https://bsky.app/profile/<did>/post/<rkey>`.
pub fn post_url(did: &str, rkey: &str) -> String {
    format!("https://bsky.app/profile/{did}/post/{rkey}")
}

/// Recognises a repository export: a file that starts with a CARv1 header (DAG-CBOR
/// `{version: 1, roots: [...]}` behind its length prefix), or a zip with a `.car` file at its
/// top. A folder is not claimed (the walk of a folder finds the `.car` file itself, so a folder
/// holding several platforms' downloads is read as each of them). A file named `*.car` is taken
/// when its content says nothing clearer.
pub fn sniff(input: &Sniff) -> Verdict {
    match &input.content {
        Content::Text(text) => {
            let verdict = if car_header(&text.head).is_some() {
                Verdict::Mine
            } else {
                Verdict::No
            };
            verdict.or_name(input.name.ends_with(".car"))
        }
        Content::Archive(archive) => match archive.kind() {
            ArchiveKind::Zip if car_entry(archive).is_some() => Verdict::Mine,
            ArchiveKind::Zip => {
                Verdict::NearMiss("no .car repository at the top (Bluesky repository)".into())
            }
            ArchiveKind::Folder => Verdict::No,
        },
    }
}

/// The roots of a CARv1 header at the start of `head`, when it is one.
fn car_header(head: &[u8]) -> Option<Vec<Cid>> {
    let reader = futures_executor::block_on(CarReader::new(head)).ok()?;
    Some(reader.header().roots().to_vec())
}

/// The repository file of a zip or folder: the first `.car` file at its top.
fn car_entry(archive: &Archive) -> Option<&Entry> {
    archive
        .entries()
        .iter()
        .find(|e| e.folder().is_empty() && e.file_name().to_ascii_lowercase().ends_with(".car"))
}

/// Reads one repository export: a `.car` file, or a zip or folder with one at its top.
pub fn read(path: &Path, limits: &Limits) -> Result<Batch, SourceError> {
    let (mut archive, entry) =
        Archive::open_with(path, &[], car_entry, "a .car repository at its top")?;
    let reader = archive
        .open_entry(&entry, limits.max_entry_bytes)
        .map_err(|e| e.into_source(path, &entry, limits.max_entry_bytes))?;
    let repo = Repo::load(reader, path, &entry, limits)?;
    repo.into_batch(path, &entry.name)
}

// ---------------------------------------------------------------------------------------------
// The blocks, as DAG-CBOR shapes.

/// A repository commit (the CAR's root): whose repository, and its tree.
#[derive(Deserialize)]
struct Commit {
    did: String,
    data: Cid,
}

/// One MST node: the subtree left of every entry, then the entries in key order.
#[derive(Deserialize)]
struct Node {
    l: Option<Cid>,
    e: Vec<NodeEntry>,
}

#[derive(Deserialize)]
struct NodeEntry {
    /// Bytes shared with the previous entry's key.
    p: usize,
    /// The rest of the key.
    k: serde_bytes::ByteBuf,
    /// The record.
    v: Cid,
    /// The subtree right of this entry.
    t: Option<Cid>,
}

/// Enough of any block to tell a record by its `$type`.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "$type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostRecord {
    #[serde(default)]
    text: String,
    created_at: Option<String>,
    reply: Option<Reply>,
    embed: Option<Embed>,
    #[serde(default)]
    facets: Vec<Facet>,
    #[serde(default)]
    langs: Vec<String>,
}

#[derive(Deserialize)]
struct Reply {
    parent: StrongRef,
}

/// A reference to another record: `{uri, cid}`.
#[derive(Deserialize)]
struct StrongRef {
    uri: String,
}

/// An embed: images, an external card, a record (quote), or a record with media.
#[derive(Deserialize)]
struct Embed {
    #[serde(rename = "$type")]
    kind: Option<String>,
    /// `app.bsky.embed.record`: the strong ref itself; `recordWithMedia`: `{record: strongRef}`.
    record: Option<EmbedRecord>,
    external: Option<External>,
    /// `recordWithMedia`: the images or external card beside the record.
    media: Option<Box<Embed>>,
}

#[derive(Deserialize)]
struct EmbedRecord {
    uri: Option<String>,
    record: Option<StrongRef>,
}

#[derive(Deserialize)]
struct External {
    uri: String,
}

#[derive(Deserialize)]
struct Facet {
    #[serde(default)]
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    #[serde(rename = "$type")]
    kind: Option<String>,
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RepostRecord {
    subject: StrongRef,
    created_at: Option<String>,
}

/// A post or repost as kept while streaming, or why it could not be read.
enum Record {
    Post(PostRecord),
    Repost(RepostRecord),
    Broken(String),
}

// ---------------------------------------------------------------------------------------------
// Streaming the blocks.

/// What is kept of a repository while its blocks stream past.
struct Repo {
    roots: Vec<Cid>,
    commit: Option<Commit>,
    nodes: HashMap<Cid, Node>,
    records: HashMap<Cid, Record>,
    skipped: Skipped,
}

impl Repo {
    fn load<R: Read + Unpin>(
        reader: R,
        path: &Path,
        entry: &Entry,
        limits: &Limits,
    ) -> Result<Repo, SourceError> {
        let limit_hit = Rc::new(Cell::new(false));
        let source = Blocking {
            inner: BufReader::new(reader),
            limit_hit: Rc::clone(&limit_hit),
        };
        let too_large = || SourceError::TooLarge {
            path: path.to_path_buf(),
            what: entry.name.clone(),
            limit: limits.max_entry_bytes,
        };
        let mut car = match futures_executor::block_on(CarReader::new(source)) {
            Ok(car) => car,
            Err(_) if limit_hit.get() => return Err(too_large()),
            Err(e) => {
                return Err(SourceError::Invalid {
                    path: path.to_path_buf(),
                    record: format!("{} header", entry.name),
                    reason: format!("not a CARv1 repository: {e}"),
                })
            }
        };
        let mut repo = Repo {
            roots: car.header().roots().to_vec(),
            commit: None,
            nodes: HashMap::new(),
            records: HashMap::new(),
            skipped: Skipped::default(),
        };
        let mut index: u64 = 0;
        loop {
            let block = futures_executor::block_on(car.next_block());
            index += 1;
            match block {
                Ok(None) => break,
                Ok(Some((cid, bytes))) => {
                    if index > limits.max_records {
                        repo.skipped.note(
                            format!("{} block {index}", entry.name),
                            format!(
                                "more than {} blocks; the rest was not read",
                                limits.max_records
                            ),
                        );
                        break;
                    }
                    repo.take(cid, &bytes, &entry.name, index);
                }
                Err(iroh_car::Error::LdReadTooLarge(len)) => {
                    return Err(SourceError::Invalid {
                        path: path.to_path_buf(),
                        record: format!("{} block {index}", entry.name),
                        reason: format!(
                            "block of {len} bytes is larger than the limit of {MAX_BLOCK_BYTES} \
                             bytes (damaged or not a repository)"
                        ),
                    })
                }
                Err(_) if limit_hit.get() => return Err(too_large()),
                Err(e) => {
                    // A truncated download: what was read stays, the tree walk counts what is
                    // missing.
                    repo.skipped.note(
                        format!("{} block {index}", entry.name),
                        format!("the file ends inside a block ({e}); the rest was not read"),
                    );
                    break;
                }
            }
        }
        Ok(repo)
    }

    /// Keeps one block if it is the commit, a tree node, a post or a repost.
    fn take(&mut self, cid: Cid, bytes: &[u8], name: &str, index: u64) {
        if self.roots.contains(&cid) {
            match serde_ipld_dagcbor::from_slice::<Commit>(bytes) {
                Ok(commit) => self.commit = Some(commit),
                Err(e) => self.skipped.note(
                    format!("{name} block {index} (root {cid})"),
                    format!("not a repository commit: {e}"),
                ),
            }
            return;
        }
        let Ok(probe) = serde_ipld_dagcbor::from_slice::<Probe>(bytes) else {
            return; // Not a map: no block this source reads.
        };
        match probe.kind.as_deref() {
            Some(POST) => {
                let record = serde_ipld_dagcbor::from_slice::<PostRecord>(bytes)
                    .map_or_else(|e| Record::Broken(e.to_string()), Record::Post);
                self.records.insert(cid, record);
            }
            Some(REPOST) => {
                let record = serde_ipld_dagcbor::from_slice::<RepostRecord>(bytes)
                    .map_or_else(|e| Record::Broken(e.to_string()), Record::Repost);
                self.records.insert(cid, record);
            }
            Some(_) => {}
            None => {
                if let Ok(node) = serde_ipld_dagcbor::from_slice::<Node>(bytes) {
                    self.nodes.insert(cid, node);
                }
            }
        }
    }

    /// Walks the tree from the commit and turns the posts and reposts it reaches into a
    /// timeline.
    fn into_batch(mut self, path: &Path, name: &str) -> Result<Batch, SourceError> {
        let Some(commit) = self.commit.take() else {
            return Err(SourceError::Invalid {
                path: path.to_path_buf(),
                record: format!("{name} root"),
                reason: match self.roots.first() {
                    Some(root) => format!("the root commit {root} is not in the file"),
                    None => "the header names no root".into(),
                },
            });
        };
        let mut timeline = Timeline::new(commit.did.clone(), Platform::Bluesky);
        let mut key_times = 0u64;
        for (key, cid) in self.walk(commit.data, name) {
            let Some(record) = self.records.get(&cid) else {
                self.skipped.note(
                    format!("{name} {key}"),
                    "the record's block is not in the file",
                );
                continue;
            };
            let rkey = key.rsplit('/').next().unwrap_or_default();
            match convert(record, rkey) {
                Ok((post, from_key)) => {
                    key_times += u64::from(from_key);
                    timeline.posts.push(post);
                }
                Err(reason) => self.skipped.note(format!("{name} {key}"), reason),
            }
        }
        if timeline.posts.is_empty() && self.skipped.count == 0 {
            return Err(SourceError::Empty {
                path: path.to_path_buf(),
                reason: "the repository holds no posts or reposts".into(),
            });
        }
        timeline.finish();
        let mut notes = gaps::notes("bluesky_car", &[Gap::Client]);
        if key_times > 0 {
            notes.push(format!(
                "bluesky_car: {key_times} post{} had no plausible createdAt (missing, unreadable, \
                 before Bluesky or over a day after the record key); their time is the record \
                 key's (TID)",
                if key_times == 1 { "" } else { "s" }
            ));
        }
        Ok(Batch {
            timelines: vec![timeline],
            skipped: self.skipped,
            notes,
        })
    }

    /// The keys and record CIDs of the posts and reposts in the tree under `root`. A missing or
    /// damaged node is counted and its subtree left out; a node reached twice (only a forged
    /// file can do that: CIDs are hashes of the content) is read once.
    fn walk(&mut self, root: Cid, name: &str) -> Vec<(String, Cid)> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        let mut seen = HashSet::new();
        while let Some(cid) = stack.pop() {
            if !seen.insert(cid) {
                continue;
            }
            let Some(node) = self.nodes.get(&cid) else {
                self.skipped.note(
                    format!("{name} tree node {cid}"),
                    "missing from the file; the records below it were not read",
                );
                continue;
            };
            stack.extend(node.l);
            let mut key: Vec<u8> = Vec::new();
            for entry in &node.e {
                stack.extend(entry.t);
                if entry.p > key.len() {
                    self.skipped.note(
                        format!("{name} tree node {cid}"),
                        "a key shares more bytes with the previous key than it has",
                    );
                    break;
                }
                key.truncate(entry.p);
                key.extend_from_slice(&entry.k);
                let Ok(text) = std::str::from_utf8(&key) else {
                    continue;
                };
                let collection = text.split('/').next().unwrap_or_default();
                if collection == POST || collection == REPOST {
                    out.push((text.to_string(), entry.v));
                }
            }
        }
        out
    }
}

/// One record as a post; true when its time came from the record key.
fn convert(record: &Record, rkey: &str) -> Result<(Post, bool), String> {
    match record {
        Record::Broken(reason) => Err(format!("unreadable record: {reason}")),
        Record::Repost(r) => {
            let (at, from_key) = time_of(r.created_at.as_deref(), rkey)?;
            let mut post = Post::new(format!("{}#repost", r.subject.uri), at, "");
            post.kind = PostKind::Repost;
            Ok((post, from_key))
        }
        Record::Post(r) => {
            let (at, from_key) = time_of(r.created_at.as_deref(), rkey)?;
            let mut post = Post::new(rkey, at, r.text.clone());
            post.lang = r.langs.first().filter(|l| !l.is_empty()).cloned();
            post.links = links(r);
            if let Some(reply) = &r.reply {
                let parent = &reply.parent.uri;
                post.kind = PostKind::Reply;
                post.reply_to_id = parent
                    .rsplit('/')
                    .next()
                    .filter(|s| !s.is_empty() && !s.contains(':'))
                    .map(str::to_string);
                post.reply_to_created_at = created_at_from_id(Platform::Bluesky, parent);
                post.reply_to_account = did_of(parent);
            } else if r.embed.as_ref().and_then(quoted_uri).is_some() {
                post.kind = PostKind::Quote;
            }
            Ok((post, from_key))
        }
    }
}

/// The time of a record: its `createdAt` when plausible, else its record key's (true).
fn time_of(created_at: Option<&str>, rkey: &str) -> Result<(DateTime<Utc>, bool), String> {
    let key_time = created_at_from_id(Platform::Bluesky, rkey);
    let stated = created_at
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc));
    let plausible = stated.filter(|t| {
        t.timestamp() >= FIRST_PLAUSIBLE_SECS
            && key_time.is_none_or(|k| (*t - k).num_seconds() <= MAX_AHEAD_OF_KEY_SECS)
    });
    match (plausible, key_time) {
        (Some(t), _) => Ok((t, false)),
        (None, Some(k)) => Ok((k, true)),
        (None, None) => Err(match created_at {
            Some(s) => format!("implausible createdAt {s:?} and the record key is no TID"),
            None => "no createdAt and the record key is no TID".into(),
        }),
    }
}

/// The AT-URI of a quoted post.
fn quoted_uri(embed: &Embed) -> Option<&str> {
    let record = embed.record.as_ref()?;
    let uri = match embed.kind.as_deref() {
        Some("app.bsky.embed.record") => record.uri.as_deref(),
        Some("app.bsky.embed.recordWithMedia") => record.record.as_ref().map(|r| r.uri.as_str()),
        _ => None,
    }?;
    // Record embeds also carry lists and feed generators; only posts are quotes.
    uri.contains("/app.bsky.feed.post/").then_some(uri)
}

/// `#link` facet targets, then an external card's URL (alone or beside a quote), without
/// repeats.
fn links(r: &PostRecord) -> Vec<String> {
    let facet_links = r
        .facets
        .iter()
        .flat_map(|f| &f.features)
        .filter(|f| f.kind.as_deref() == Some("app.bsky.richtext.facet#link"))
        .filter_map(|f| f.uri.as_deref());
    let external = r.embed.as_ref().and_then(|e| {
        e.external
            .as_ref()
            .or_else(|| e.media.as_ref().and_then(|m| m.external.as_ref()))
            .map(|x| x.uri.as_str())
    });
    let mut out: Vec<String> = Vec::new();
    for u in facet_links.chain(external) {
        if (u.starts_with("https://") || u.starts_with("http://")) && !out.iter().any(|l| l == u) {
            out.push(u.to_string());
        }
    }
    out
}

/// The DID (authority) of an AT-URI.
fn did_of(uri: &str) -> Option<String> {
    uri.strip_prefix("at://")?
        .split('/')
        .next()
        .filter(|d| d.starts_with("did:"))
        .map(str::to_string)
}

/// A blocking reader seen as an always-ready async one, for `iroh-car` (whose reader is
/// async). Every poll reads at once, so `futures_executor::block_on` never waits. It remembers
/// whether the entry's size limit stopped it, since `iroh-car` turns read errors into strings.
struct Blocking<R> {
    inner: R,
    limit_hit: Rc<Cell<bool>>,
}

impl<R: Read + Unpin> tokio::io::AsyncRead for Blocking<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.inner.read(buf.initialize_unfilled()) {
            Ok(n) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Err(e) => {
                let e = EntryError::from(e);
                if matches!(e, EntryError::TooLarge) {
                    self.limit_hit.set(true);
                }
                Poll::Ready(Err(io::Error::other(e.to_string())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_at_falls_back_to_the_record_key() {
        // 3kly5whjwmc2v is a real record key (2024-02-22); its createdAt is 04:35:10.072Z.
        let (t, from_key) = time_of(Some("2024-02-22T04:35:10.072Z"), "3kly5whjwmc2v").unwrap();
        assert!(!from_key);
        assert_eq!(t.to_rfc3339(), "2024-02-22T04:35:10.072+00:00");
        for bad in [None, Some("yesterday"), Some("2009-01-01T00:00:00Z")] {
            let (t, from_key) = time_of(bad, "3kly5whjwmc2v").unwrap();
            assert!(from_key, "{bad:?}");
            assert_eq!(t.format("%Y-%m-%d").to_string(), "2024-02-22");
        }
        // A client clock a week ahead of the server's key is not believed either.
        assert!(
            time_of(Some("2024-03-01T00:00:00Z"), "3kly5whjwmc2v")
                .unwrap()
                .1
        );
        assert!(time_of(None, "self").is_err());
    }

    #[test]
    fn post_urls_name_the_did_and_record_key() {
        assert_eq!(
            post_url("did:plc:nhxcyu4ewwhl5pqil4dotqjo", "3kly5whjwmc2v"),
            "https://bsky.app/profile/did:plc:nhxcyu4ewwhl5pqil4dotqjo/post/3kly5whjwmc2v"
        );
    }
}
