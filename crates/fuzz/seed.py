#!/usr/bin/env python3
"""Rebuilds the fuzz seed corpora (crates/fuzz/corpus/TARGET/) and dictionaries
(crates/fuzz/dict/TARGET.dict) from the repository's fixtures. Run from anywhere:

    python3 crates/fuzz/seed.py

Several-file seeds use the format of crates/fuzz/src/lib.rs: `==> path <==` starts a file.
A dictionary holds the JSON keys, CSV header names and XML tags of the target's seeds, the
file names the reader looks for, and the format's punctuation, so the mutator can write them.
Crash inputs that `cargo fuzz` finds go to crates/fuzz/artifacts/ (not committed); the minimised
ones that became regression tests live in fixtures/fuzz/TARGET-*.* and are copied into the
target's corpus too.
"""

import hashlib
import io
import json
import os
import re
import shutil
import zipfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIX = os.path.join(ROOT, "fixtures")
OUT = os.path.join(ROOT, "crates", "fuzz", "corpus")
DICT = os.path.join(ROOT, "crates", "fuzz", "dict")
SKIP = (".jpg", ".md", ".txt") # media, and the SOURCE.md / LICENSE notes beside fixtures
MAX_SEED = 256 * 1024


def fx(*parts):
    return os.path.join(FIX, *parts)


def files_under(folder, keep_txt=False):
    """(relative path, bytes) of every file under `folder`, sorted; notes and media left out."""
    out = []
    for dirpath, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(SKIP) and not (keep_txt and name.endswith(".txt")):
                continue
            full = os.path.join(dirpath, name)
            out.append((os.path.relpath(full, folder).replace(os.sep, "/"), open(full, "rb").read()))
    return sorted(out)


def tree(files):
    """A several-file seed."""
    return b"".join(b"==> " + name.encode() + b" <==\n" + data for name, data in files)


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            # A fixed time, not now: the same fixtures give the same seeds (and file names).
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def raw(*parts):
    return open(fx(*parts), "rb").read()


def html_snippets():
    page = json.loads(raw("feeds", "mastodon", "statuses_page1.json"))
    return [s["content"].encode() for s in page if s.get("content")][:8]


YT = fx("real", "youtube-takeout", "YouTube and YouTube Music")

SEEDS = {
    "twitter_archive": lambda: [
        tree(files_under(fx("twitter", "multipart"))),
        tree(files_under(fx("twitter", "damaged"))),
        raw("real", "haxorpoda-bug-feed", "tweets.js.queue"),
        tree([("data/manifest.js", raw("real", "twitter-archive", "data", "manifest.js")),
              ("data/note-tweet.js", raw("real", "twitter-archive", "data", "note-tweet.js")),
              ("data/tweets.js", raw("real", "twitter-archive", "data", "tweets.js")[:60000])]),
    ],
    "mastodon_outbox": lambda: [
        tree(files_under(fx("mastodon", "export"))),
        raw("mastodon", "outbox-damaged.json"),
        raw("mastodon", "outbox-truncated.json"),
    ],
    "jsonl": lambda: [
        raw("jsonl", "posts.jsonl"),
        raw("jsonl", "damaged.jsonl"),
        raw("real", "fivethirtyeight-twitter-ratio", "BarackObama.jsonl"),
        raw("real", "haxorpoda-bug-feed", "haxorpoda_bugs.jsonl"),
        raw("scenarios", "auto-responder", "input.jsonl"),
    ],
    "csv": lambda: [raw("csv", "posts.csv"), raw("csv", "damaged.csv")],
    "feed": lambda: [
        raw("real", "atom", "atom_spec_1.xml"),
        raw("real", "bluesky-rss", "kaedotcom.bsky.social.rss"),
        raw("real", "mastodon-rss", "mastodon_social_pdxjohnny.rss"),
        raw("real", "reddit-feeds", "reddit_search_rss_is_atom.xml"),
        raw("real", "reddit-feeds", "reddit_subreddit_rss.xml"),
        raw("real", "rss2", "rss_2.0_bbc.xml"),
        raw("real", "rss2", "rss_2.0_encoding_1.xml"),
        raw("real", "rss2", "rss_2.0_spec_1.xml"),
        raw("real", "youtube-atom", "youtube_channel_feed_pbs.xml"),
    ],
    "mastodon_api": lambda: [
        raw("feeds", "mastodon", "lookup_bot.json"),
        raw("feeds", "mastodon", "statuses_page1.json"),
        b'<https://mastodon.example/api/v1/accounts/1/statuses?max_id=109>; rel="next", '
        b'<https://mastodon.example/api/v1/accounts/1/statuses?min_id=120>; rel="prev"',
        b"109876543210987654 110000000000000001",
    ],
    "bluesky_appview": lambda: [
        raw("real", "bluesky-appview", "getAuthorFeed_2023-10_old_cursor_format.json"),
        _first_items(raw("real", "bluesky-appview", "getAuthorFeed_chriskenny_2025-05-19.json")),
    ],
    "archive": lambda: [
        raw("mastodon", "export.zip"),
        raw("demo", "brand-archive.zip"),
        zip_of(files_under(fx("twitter", "multipart"))),
        zip_of(files_under(fx("facebook", "new-layout"))),
        zip_of(files_under(fx("instagram", "download"))),
        zip_of(files_under(fx("linkedin", "export"))),
        zip_of(files_under(fx("reddit", "export"))),
        zip_of(files_under(fx("tiktok", "txt"), keep_txt=True)),
        zip_of([("user_data.json", raw("tiktok", "user_data.json"))]),
        zip_of([("YouTube and YouTube Music/" + n, d) for n, d in files_under(YT)]),
        zip_of([("repo.car", raw("real", "bluesky-car", "bnewbold.robocracy.org.20250310005405.car"))]),
    ],
    "bluesky_car": lambda: [
        raw("real", "bluesky-car", "bnewbold.robocracy.org.20250310005405.car"),
        raw("real", "bluesky-car", "paul_staging.repo.car"),
    ],
    "facebook": lambda: [
        tree(files_under(fx("facebook", "new-layout"))),
        tree([("posts/your_posts_1.json", raw("facebook", "your_posts_1.json"))]),
    ],
    "instagram": lambda: [tree(files_under(fx("instagram", "download")))],
    "threads": lambda: [
        raw("instagram", "download", "your_instagram_activity", "threads", "threads_and_replies.json"),
    ],
    "linkedin": lambda: [
        tree(files_under(fx("linkedin", "export"))),
        raw("csv", "linkedin-shares.csv"),
    ],
    "youtube_takeout": lambda: [tree([("YouTube and YouTube Music/" + n, d) for n, d in files_under(YT)])],
    "reddit": lambda: [tree(files_under(fx("reddit", "export")))],
    "tiktok": lambda: [raw("tiktok", "user_data.json"), raw("tiktok", "twin", "user_data.json")],
    "tiktok_txt": lambda: [tree(files_under(fx("tiktok", "txt"), keep_txt=True))],
    "html": html_snippets,
    "config": lambda: [
        raw("..", "deploy", "echoscope.example.toml"),
        b'[store]\nurl = "postgres://echoscope:pw@db:5432/echoscope"\n[cluster]\nlease_seconds = 60\n'
        b'[server]\nlisten = "0.0.0.0:9464"\nallowed_hosts = ["echoscope.example", "*"]\n',
        b'[metrics]\naccount_labels = ["client"]\n\n[[accounts]]\nname = "acme"\n'
        b'source = "https://user:secret@feeds.example/acme.rss?private_token=abc"\n'
        b'labels = { client = "acme-corp" }\n',
    ],
}


def _first_items(doc):
    """A big getAuthorFeed page cut to its first items, still valid JSON."""
    page = json.loads(doc)
    page["feed"] = page["feed"][:6]
    return json.dumps(page).encode()


# What the format's punctuation and the readers' file names add to the keys found in seeds.
COMMON = {
    "json": ['"', "{", "}", "[", "]", ":", ",", "null", "true", "false", "-1", "1e99", '\\u0000',
             '\\ud800', "\\u00c3\\u00a9"],
    "csv": [",", '"', '""', "\r\n", '\\"'],
    "xml": ["<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<![CDATA[", "]]>", "&amp;", "&#x0;",
            "<!DOCTYPE", "<!ENTITY", "xmlns=\"http://www.w3.org/2005/Atom\""],
    "tree": ["==> ", " <==\n", "data/", "tweets.js", "manifest.js", "account.js",
             "direct-messages.js", "note-tweet.js", "tweets-part1.js", "outbox.json", "actor.json",
             "your_posts_1.json", "comments.json", "profile_information.json", "posts_1.json",
             "post_comments_1.json", "threads_and_replies.json", "personal_information.json",
             "Shares.csv", "Comments.csv", "Profile.csv", "comments.csv", "posts.csv",
             "live chats.csv", "user_data.json", "Videos.txt", "Comments.txt",
             "Direct Messages.txt", "Profile Info.txt", "window.YTD.tweets.part0 = "],
}
COMMON["toml"] = ["[[accounts]]", "[server]", "[store]", "[cluster]", "[metrics]", "[poll]",
                  "= \"", "= [", "= {", "file:", "bsky:", "mastodon:@", "https://", "@", "://",
                  "?token=", "le", "__name__", "*", "[::1]:9464", "127.0.0.1:9464"]
KINDS = {
    "twitter_archive": ["json", "tree"], "mastodon_outbox": ["json", "tree"], "jsonl": ["json"],
    "csv": ["csv"], "feed": ["xml", "json"], "mastodon_api": ["json"],
    "bluesky_appview": ["json"], "archive": ["tree"], "bluesky_car": [],
    "facebook": ["json", "tree"], "instagram": ["json", "tree"], "threads": ["json", "tree"],
    "linkedin": ["csv", "tree"], "youtube_takeout": ["csv", "json", "tree"],
    "reddit": ["csv", "tree"], "tiktok": ["json", "tree"], "tiktok_txt": ["tree"], "html": ["xml"],
    "config": ["toml"],
}


def tokens(seeds):
    found = set()
    for seed in seeds:
        text = seed.decode("utf-8", "replace")
        found.update(re.findall(r'"([A-Za-z_@$][\w .:$@-]{1,40})"\s*:', text))   # JSON keys
        found.update(re.findall(r"</?([A-Za-z][\w:.-]{0,30})", text))               # XML tags
        found.update(m for m in re.findall(r"^([A-Za-z][\w ,]{2,200})$", text, re.M)  # CSV headers
                     if "," in m for m in m.split(","))
    return sorted(t for t in found if t.strip())


def escape(tok):
    """A dictionary word as libFuzzer reads it: printable ASCII, every other byte as \\xHH."""
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else "\\x%02x" % b
                   for b in tok.encode())


def main():
    os.makedirs(DICT, exist_ok=True)
    for target, make in SEEDS.items():
        folder = os.path.join(OUT, target)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        seeds = [s[:MAX_SEED] for s in make()]
        regressions = os.path.join(FIX, "fuzz")
        if os.path.isdir(regressions):
            seeds += [open(os.path.join(regressions, n), "rb").read()
                      for n in sorted(os.listdir(regressions)) if n.startswith(target + "-")]
        for seed in seeds:
            name = hashlib.sha1(seed).hexdigest()
            with open(os.path.join(folder, name), "wb") as f:
                f.write(seed)
        words = set(tokens(seeds) if target not in ("bluesky_car", "archive") else [])
        for kind in KINDS[target]:
            words.update(COMMON[kind])
        if target == "config":  # TOML keys, the commented-out ones of the example included
            for seed in seeds:
                words.update(re.findall(r"^[ #]*([a-z_]+) *=", seed.decode("utf-8", "replace"), re.M))
        if target == "bluesky_car":
            words.update(["app.bsky.feed.post", "app.bsky.feed.repost", "$type", "text",
                          "createdAt", "reply", "parent", "uri", "did:plc:", "version", "roots"])
        with open(os.path.join(DICT, target + ".dict"), "w") as f:
            for w in sorted(words):
                f.write('"%s"\n' % escape(w))
        print("%-16s %2d seeds, %3d dictionary words" % (target, len(seeds), len(words)))


if __name__ == "__main__":
    main()
