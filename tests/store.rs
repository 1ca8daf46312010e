//! The store. One suite of tests is written against the `Store` trait and run for every
//! backend (`store_suite!` below: round trips, de-duplication, accounts, fetch state, runs,
//! retention, concurrent readers, export), SQLite and a real PostgreSQL server (a throwaway
//! cluster, `tests/support/postgres.rs`); then each backend's own tests: SQLite's file and
//! pragmas, schema versions and migrations, files that are not echoscope databases, and a
//! process SIGKILLed mid-write; PostgreSQL's schema versions, concurrent migrations, leases
//! among replicas, fencing and connection loss; and `store copy` between the two.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use echoscope::model::AccountReport;
use echoscope::model::{DirectMessage, Platform, Post, PostKind, Timeline};
use echoscope::sources::jsonl::Record;
use echoscope::sources::live::FetchState;
use echoscope::store::sqlite::{Sqlite, SCHEMA_VERSION};
use echoscope::store::{export_jsonl, AccountKey, Backend, Store, StoreError};

/// Opens a store at a place inside a temporary folder; opening the same place again reopens
/// the same store. For SQLite the place is the database file.
type Open = dyn Fn(&Path) -> Arc<dyn Store>;

/// Runs the whole suite against one backend: `store_suite!(module, opener)` makes a module of
/// tests, each calling the `suite` function of the same name with the opener. A suite function
/// left out of the list below is dead code, which the build (clippy `-D warnings`) rejects.
macro_rules! store_suite {
    ($backend:ident, $open:expr) => {
        mod $backend {
            fn open(place: &std::path::Path) -> std::sync::Arc<dyn echoscope::store::Store> {
                $open(place)
            }
            store_suite!(@tests
                posts_round_trip_with_every_field_oldest_first,
                reinserting_the_same_posts_is_a_no_op,
                direct_messages_round_trip_and_follow_retention,
                unknown_account_is_an_error_not_an_insert,
                accounts_are_listed_and_a_new_handle_replaces_the_old,
                moving_an_account_keeps_its_history_and_never_merges,
                inserting_10k_posts_takes_well_under_a_second,
                fetch_state_round_trips_and_defaults_to_empty,
                runs_are_newest_first_and_the_latest_report_comes_back_whole,
                an_unchanged_result_is_recorded_once,
                a_fetch_commits_posts_and_cursor_together,
                check_answers_on_a_working_store,
                prune_deletes_old_posts_and_runs_only,
                prune_cuts_each_account_at_its_own_time,
                reopening_keeps_everything,
                reads_see_whole_batches_while_a_writer_is_busy,
                export_writes_jsonl_that_reads_back_as_the_same_posts,
                a_recorded_identity_is_what_timeline_and_export_return,
                imported_runs_keep_their_time_and_import_once,
            );
        }
    };
    (@tests $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                super::suite::$test(&open)
            }
        )*
    };
}

store_suite!(sqlite, |place: &std::path::Path| {
    echoscope::store::open(&echoscope::config::Store {
        backend: echoscope::store::Backend::Sqlite,
        path: place.to_path_buf(),
        ..Default::default()
    })
    .unwrap()
});

store_suite!(postgres, |place: &std::path::Path| {
    // A place is a database of the shared throwaway cluster: a new one per place, the same
    // one again when the suite reopens a place.
    echoscope::store::open(&echoscope::config::Store {
        backend: echoscope::store::Backend::Postgres,
        url: Some(crate::support::postgres::database_at(place)),
        ..Default::default()
    })
    .unwrap()
});

fn key(name: &str) -> AccountKey {
    AccountKey {
        name: name.to_string(),
        platform: Platform::Mastodon,
    }
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

/// A post with every optional field set, so a round trip that drops one shows.
fn full_post(i: u32) -> Post {
    Post {
        id: format!("1100{i:06}"),
        // Microseconds, so a store that keeps only milliseconds fails.
        created_at: t(i64::from(i) * 60) + chrono::Duration::microseconds(123_456),
        text: format!("post {i}: café ✓ \"quoted\"\nsecond line"),
        kind: match i % 4 {
            0 => PostKind::Original,
            1 => PostKind::Reply,
            2 => PostKind::Repost,
            _ => PostKind::Quote,
        },
        reply_to_id: (i % 4 == 1).then(|| format!("9{i}")),
        reply_to_account: (i % 4 == 1).then(|| "someone".to_string()),
        reply_to_created_at: (i % 4 == 1).then(|| t(i64::from(i) * 60 - 3)),
        client: (i % 3 == 0).then(|| "Buffer".to_string()),
        links: if i % 2 == 0 {
            vec![
                format!("https://example.com/{i}"),
                "https://shop.example/".into(),
            ]
        } else {
            Vec::new()
        },
        lang: (i % 5 != 0).then(|| "en".to_string()),
    }
}

fn batch_posts(prefix: &str, n: usize) -> Vec<Post> {
    (0..n)
        .map(|i| {
            Post::new(
                format!("{prefix}-{i}"),
                t(i as i64),
                format!("batch {prefix} post {i}: buy now at https://shop.example/item"),
            )
        })
        .collect()
}

/// A fresh store in a new temporary folder (kept alive by the returned guard).
fn fresh(open: &Open) -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("store"));
    (dir, store)
}

fn report_for(timeline: &Timeline) -> AccountReport {
    echoscope::scan::account_report(timeline, Vec::new())
}

/// The tests every backend must pass, written against the trait only.
mod suite {
    use super::*;

    pub fn posts_round_trip_with_every_field_oldest_first(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("alice");
        store.ensure_account(&k, "alice@example.social").unwrap();
        // Inserted newest first: the timeline must come back oldest first.
        let mut posts: Vec<Post> = (0..12).map(full_post).collect();
        posts.reverse();
        assert_eq!(store.insert_posts(&k, &posts).unwrap(), 12);

        let tl = store.timeline(&k, None).unwrap();
        assert_eq!(tl.account, "alice@example.social");
        assert_eq!(tl.platform, Platform::Mastodon);
        let expected: Vec<Post> = (0..12).map(full_post).collect();
        assert_eq!(tl.posts, expected);
        assert_eq!(store.post_count(&k).unwrap(), 12);

        // `since` keeps posts at or after the time.
        let since = store.timeline(&k, Some(full_post(10).created_at)).unwrap();
        let ids: Vec<_> = since.posts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, [full_post(10).id, full_post(11).id]);
    }

    pub fn reinserting_the_same_posts_is_a_no_op(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("bob");
        store.ensure_account(&k, "bob").unwrap();
        let posts = batch_posts("a", 50);
        assert_eq!(store.insert_posts(&k, &posts).unwrap(), 50);
        assert_eq!(store.insert_posts(&k, &posts).unwrap(), 0);
        // A feed page overlapping the stored history: only the new half counts, and a changed
        // text under a stored id does not overwrite the first copy.
        let mut overlap = batch_posts("a", 75);
        overlap[0].text = "edited".into();
        assert_eq!(store.insert_posts(&k, &overlap).unwrap(), 25);
        assert_eq!(store.post_count(&k).unwrap(), 75);
        let tl = store.timeline(&k, None).unwrap();
        assert!(tl.posts.iter().all(|p| p.text != "edited"));

        // The same post id under another account is another post.
        let other = key("carol");
        store.ensure_account(&other, "carol").unwrap();
        assert_eq!(store.insert_posts(&other, &posts).unwrap(), 50);
    }

    pub fn direct_messages_round_trip_and_follow_retention(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("dm");
        store.ensure_account(&k, "dm").unwrap();
        let messages: Vec<DirectMessage> = (0..6)
            .rev()
            .map(|i| DirectMessage {
                conversation_id: format!("c{}", i % 2),
                id: format!("m{i}"),
                sender: "dm".into(),
                recipient: (i % 3 != 0).then(|| format!("r{i}")),
                created_at: t(i * 60) + chrono::Duration::microseconds(5),
                text: format!("Thanks for reaching out ({i})! We'll reply within 24 h."),
            })
            .collect();
        assert_eq!(store.insert_direct_messages(&k, &messages).unwrap(), 6);
        assert_eq!(store.insert_direct_messages(&k, &messages).unwrap(), 0);
        let mut oldest_first = messages.clone();
        oldest_first.reverse();
        assert_eq!(
            store.timeline(&k, None).unwrap().direct_messages,
            oldest_first
        );
        let since = store.timeline(&k, Some(t(4 * 60))).unwrap();
        assert_eq!(since.direct_messages, oldest_first[4..]);
        // Direct messages are history like posts: retention cuts them too.
        assert_eq!(store.prune(&|_| Some(t(2 * 60))).unwrap(), 2);
        assert_eq!(
            store.timeline(&k, None).unwrap().direct_messages,
            oldest_first[2..]
        );
    }

    pub fn unknown_account_is_an_error_not_an_insert(open: &Open) {
        let (_dir, store) = fresh(open);
        let err = store
            .insert_posts(&key("nobody"), &batch_posts("x", 1))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::UnknownAccount(ref n) if n == "nobody"),
            "{err}"
        );
        // Same name on another platform is another account.
        store.ensure_account(&key("dave"), "dave").unwrap();
        let twitter = AccountKey {
            name: "dave".into(),
            platform: Platform::Twitter,
        };
        assert!(matches!(
            store.post_count(&twitter),
            Err(StoreError::UnknownAccount(_))
        ));
    }

    pub fn accounts_are_listed_and_a_new_handle_replaces_the_old(open: &Open) {
        let (_dir, store) = fresh(open);
        store.ensure_account(&key("zed"), "zed").unwrap();
        store.ensure_account(&key("amy"), "amy_old").unwrap();
        store.ensure_account(&key("amy"), "amy_new").unwrap();
        let names: Vec<_> = store
            .accounts()
            .unwrap()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(names, ["amy", "zed"]);
        assert_eq!(
            store.timeline(&key("amy"), None).unwrap().account,
            "amy_new"
        );
    }

    pub fn moving_an_account_keeps_its_history_and_never_merges(open: &Open) {
        let (_dir, store) = fresh(open);
        let feed = AccountKey {
            name: "lee".into(),
            platform: Platform::Feed,
        };
        let bluesky = AccountKey {
            name: "lee".into(),
            platform: Platform::Bluesky,
        };
        // Nothing to move yet.
        assert!(!store.move_account(&feed, &bluesky).unwrap());
        store.ensure_account(&feed, "lee.example").unwrap();
        let posts = batch_posts("lee", 5);
        store.insert_posts(&feed, &posts).unwrap();
        let state = FetchState {
            cursor: Some("c".into()),
            ..FetchState::default()
        };
        store.set_fetch_state(&feed, &state).unwrap();
        let run = store
            .record_run(&feed, &report_for(&Timeline::new("lee", Platform::Feed)))
            .unwrap()
            .unwrap();

        assert!(store.move_account(&feed, &bluesky).unwrap());
        assert_eq!(store.accounts().unwrap(), vec![bluesky.clone()]);
        let tl = store.timeline(&bluesky, None).unwrap();
        assert_eq!(
            (tl.account.as_str(), tl.platform),
            ("lee.example", Platform::Bluesky)
        );
        assert_eq!(tl.posts, posts);
        assert_eq!(store.fetch_state(&bluesky).unwrap(), state);
        assert_eq!(store.runs(&bluesky, 10).unwrap(), vec![run]);
        assert!(matches!(
            store.post_count(&feed),
            Err(StoreError::UnknownAccount(_))
        ));

        // Both keys taken: neither is touched.
        store.ensure_account(&feed, "lee.example").unwrap();
        store.insert_posts(&feed, &batch_posts("other", 2)).unwrap();
        assert!(!store.move_account(&feed, &bluesky).unwrap());
        assert_eq!(store.post_count(&feed).unwrap(), 2);
        assert_eq!(store.post_count(&bluesky).unwrap(), 5);
    }

    pub fn inserting_10k_posts_takes_well_under_a_second(open: &Open) {
        let (_dir, store) = fresh(open);
        store.ensure_account(&key("fast"), "fast").unwrap();
        let posts: Vec<Post> = (0..10_000u32)
            .map(|i| {
                let mut p = full_post(i);
                p.id = format!("speed-{i}");
                p
            })
            .collect();
        let start = Instant::now();
        assert_eq!(store.insert_posts(&key("fast"), &posts).unwrap(), 10_000);
        let took = start.elapsed();
        let start = Instant::now();
        let tl = store.timeline(&key("fast"), None).unwrap();
        let read = start.elapsed();
        assert_eq!(tl.posts.len(), 10_000);
        eprintln!("insert 10k posts: {took:?}; read them back: {read:?}");
        // Generous for a debug build on a shared machine; the measured figure is printed above.
        assert!(took < Duration::from_secs(3), "insert took {took:?}");
    }

    pub fn fetch_state_round_trips_and_defaults_to_empty(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("erin");
        store.ensure_account(&k, "erin").unwrap();
        assert_eq!(store.fetch_state(&k).unwrap(), FetchState::default());
        let state = FetchState {
            etag: Some("W/\"abc\"".into()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            cursor: Some("109876543210".into()),
            backfilled: true,
            last_success: Some(t(5) + chrono::Duration::microseconds(7)),
        };
        store.set_fetch_state(&k, &state).unwrap();
        assert_eq!(store.fetch_state(&k).unwrap(), state);
        let cleared = FetchState {
            cursor: Some("2".into()),
            ..FetchState::default()
        };
        store.set_fetch_state(&k, &cleared).unwrap();
        assert_eq!(store.fetch_state(&k).unwrap(), cleared);
    }

    pub fn runs_are_newest_first_and_the_latest_report_comes_back_whole(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("fay");
        store.ensure_account(&k, "fay").unwrap();
        assert_eq!(store.latest_report(&k).unwrap(), None);
        assert!(store.runs(&k, 10).unwrap().is_empty());

        let mut tl = Timeline::new("fay", Platform::Mastodon);
        let mut recorded = Vec::new();
        for i in 0..3 {
            tl.posts.push(full_post(i));
            let mut report = report_for(&tl);
            report.score = 90 - i;
            let run = store
                .record_run(&k, &report)
                .unwrap()
                .expect("a new result is recorded");
            recorded.push((run, report));
        }
        let runs = store.runs(&k, 2).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0], recorded[2].0);
        assert_eq!(runs[1], recorded[1].0);
        assert_eq!(runs[0].score, 88);
        assert_eq!(
            store.latest_report(&k).unwrap(),
            Some(recorded[2].1.clone())
        );
    }

    pub fn an_unchanged_result_is_recorded_once(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("una");
        store.ensure_account(&k, "una").unwrap();
        let mut tl = Timeline::new("una", Platform::Mastodon);
        tl.posts.push(full_post(1));
        let report = report_for(&tl);
        let first = store.record_run(&k, &report).unwrap();
        assert!(first.is_some());
        // The same result again (a restart, or a second replica around a hand-over): not
        // recorded; a changed one is; and going back to the first result is a change too.
        assert_eq!(store.record_run(&k, &report).unwrap(), None);
        let mut changed = report.clone();
        changed.score = report.score.saturating_sub(10);
        assert!(store.record_run(&k, &changed).unwrap().is_some());
        assert!(store.record_run(&k, &report).unwrap().is_some());
        assert_eq!(store.runs(&k, 10).unwrap().len(), 3);
        assert_eq!(store.latest_report(&k).unwrap(), Some(report));
    }

    pub fn a_fetch_commits_posts_and_cursor_together(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("cy");
        store.ensure_account(&k, "cy").unwrap();
        let mut tl = Timeline::new("cy", Platform::Mastodon);
        tl.posts = (0..5).map(full_post).collect();
        let state = FetchState {
            cursor: Some("1100000004".into()),
            backfilled: true,
            last_success: Some(t(600)),
            ..FetchState::default()
        };
        assert_eq!(store.commit_fetch(&k, Some(&tl), &state, None).unwrap(), 5);
        assert_eq!(store.fetch_state(&k).unwrap(), state);
        assert_eq!(store.timeline(&k, None).unwrap().posts, tl.posts);
        // The same page again (fetched twice around a hand-over) adds nothing; a 304 only
        // moves the cursor.
        assert_eq!(store.commit_fetch(&k, Some(&tl), &state, None).unwrap(), 0);
        let later = FetchState {
            etag: Some("\"v2\"".into()),
            ..state.clone()
        };
        assert_eq!(store.commit_fetch(&k, None, &later, None).unwrap(), 0);
        assert_eq!(store.fetch_state(&k).unwrap(), later);
        assert_eq!(store.post_count(&k).unwrap(), 5);
        // An unknown account is an error and writes nothing.
        assert!(matches!(
            store.commit_fetch(&key("nobody"), Some(&tl), &state, None),
            Err(StoreError::UnknownAccount(_))
        ));
    }

    pub fn check_answers_on_a_working_store(open: &Open) {
        let (_dir, store) = fresh(open);
        store.check().unwrap();
        store.ensure_account(&key("chk"), "chk").unwrap();
        store.check().unwrap();
    }

    pub fn prune_deletes_old_posts_and_runs_only(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("gus");
        store.ensure_account(&k, "gus").unwrap();
        let posts: Vec<Post> = (0..2_000u32).map(full_post).collect();
        store.insert_posts(&k, &posts).unwrap();
        let run = store
            .record_run(&k, &report_for(&Timeline::new("gus", Platform::Mastodon)))
            .unwrap()
            .unwrap();

        // Posts are a minute apart: cutting at post 1500 removes 1500 posts; the run (recorded
        // now, long after 2023) stays.
        let removed = store.prune(&|_| Some(posts[1500].created_at)).unwrap();
        assert_eq!(removed, 1500);
        let tl = store.timeline(&k, None).unwrap();
        assert_eq!(tl.posts.len(), 500);
        assert_eq!(tl.posts[0], posts[1500]);
        assert_eq!(store.runs(&k, 10).unwrap(), vec![run.clone()]);

        // Cutting after the run removes it too.
        let removed = store
            .prune(&|_| Some(run.at + chrono::Duration::seconds(1)))
            .unwrap();
        assert_eq!(removed, 501);
        assert!(store.runs(&k, 10).unwrap().is_empty());
        assert_eq!(store.post_count(&k).unwrap(), 0);
    }

    pub fn prune_cuts_each_account_at_its_own_time(open: &Open) {
        let (_dir, store) = fresh(open);
        let posts: Vec<Post> = (0..10).map(full_post).collect();
        for name in ["short", "kept", "other"] {
            store.ensure_account(&key(name), name).unwrap();
            store.insert_posts(&key(name), &posts).unwrap();
        }
        let removed = store
            .prune(&|k| match k.name.as_str() {
                "short" => Some(posts[8].created_at),
                "kept" => None,
                _ => Some(posts[3].created_at),
            })
            .unwrap();
        assert_eq!(removed, 8 + 3);
        let left = |name: &str| store.post_count(&key(name)).unwrap();
        assert_eq!((left("short"), left("kept"), left("other")), (2, 10, 7));
    }

    pub fn reopening_keeps_everything(open: &Open) {
        let dir = tempfile::tempdir().unwrap();
        let place = dir.path().join("store");
        let k = key("hal");
        let state = FetchState {
            cursor: Some("42".into()),
            backfilled: true,
            ..FetchState::default()
        };
        let (posts, report) = {
            let store = open(&place);
            store.ensure_account(&k, "hal@example.social").unwrap();
            let posts: Vec<Post> = (0..10).map(full_post).collect();
            store.insert_posts(&k, &posts).unwrap();
            store.set_fetch_state(&k, &state).unwrap();
            let report = report_for(&store.timeline(&k, None).unwrap());
            store.record_run(&k, &report).unwrap();
            (posts, report)
        };
        let store = open(&place);
        assert_eq!(store.accounts().unwrap(), vec![k.clone()]);
        assert_eq!(store.timeline(&k, None).unwrap().posts, posts);
        assert_eq!(store.fetch_state(&k).unwrap(), state);
        assert_eq!(store.latest_report(&k).unwrap(), Some(report));
    }

    pub fn reads_see_whole_batches_while_a_writer_is_busy(open: &Open) {
        const BATCH: usize = 300;
        const BATCHES: usize = 40;
        let (_dir, store) = fresh(open);
        store.ensure_account(&key("jo"), "jo").unwrap();
        let done = Arc::new(AtomicBool::new(false));

        let writer = {
            let store = Arc::clone(&store);
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                for b in 0..BATCHES {
                    let n = store
                        .insert_posts(&key("jo"), &batch_posts(&format!("b{b}"), BATCH))
                        .unwrap();
                    assert_eq!(n, BATCH);
                }
                done.store(true, Ordering::SeqCst);
            })
        };
        let readers: Vec<_> = (0..3)
            .map(|r| {
                let store = Arc::clone(&store);
                let done = Arc::clone(&done);
                std::thread::spawn(move || {
                    let mut last = 0;
                    let mut reads = 0;
                    while !done.load(Ordering::SeqCst) {
                        let n = if r == 0 {
                            store.timeline(&key("jo"), None).unwrap().posts.len() as u64
                        } else {
                            store.post_count(&key("jo")).unwrap()
                        };
                        // A reader sees whole committed batches, never part of one, never
                        // fewer than before.
                        assert_eq!(n % BATCH as u64, 0, "saw a partial batch: {n}");
                        assert!(n >= last, "went back from {last} to {n}");
                        last = n;
                        reads += 1;
                    }
                    reads
                })
            })
            .collect();
        writer.join().unwrap();
        for r in readers {
            assert!(r.join().unwrap() > 0);
        }
        assert_eq!(
            store.post_count(&key("jo")).unwrap(),
            (BATCH * BATCHES) as u64
        );
    }

    /// A watched file's account is keyed `other` with its path as handle; the handle and
    /// platform the file names are recorded beside them, and the export wrote the key's.
    pub fn a_recorded_identity_is_what_timeline_and_export_return(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = AccountKey {
            name: "watched".into(),
            platform: Platform::Other,
        };
        store.ensure_account(&k, "/data/people.jsonl").unwrap();
        store.insert_posts(&k, &[full_post(1)]).unwrap();
        let before = store.timeline(&k, None).unwrap();
        assert_eq!(
            (before.account.as_str(), before.platform),
            ("/data/people.jsonl", Platform::Other)
        );

        store
            .record_identity(&k, "chloe_ali0", Platform::Twitter)
            .unwrap();
        // The configured handle is written again at every poll: the identity stays.
        store.ensure_account(&k, "/data/people.jsonl").unwrap();
        let after = store.timeline(&k, None).unwrap();
        assert_eq!(
            (after.account.as_str(), after.platform),
            ("chloe_ali0", Platform::Twitter)
        );
        let mut out = Vec::new();
        export_jsonl(store.as_ref(), &k, &mut out).unwrap();
        let r: Record = serde_json::from_str(String::from_utf8(out).unwrap().trim()).unwrap();
        assert_eq!(
            (r.account.as_str(), r.platform.as_str()),
            ("chloe_ali0", "twitter")
        );
        // The key is unchanged: the account is found under it as before.
        assert_eq!(store.accounts().unwrap(), vec![k.clone()]);

        // Recording again replaces it; an account not in the store is an error, not an insert.
        store
            .record_identity(&k, "lucasweber1", Platform::Mastodon)
            .unwrap();
        let again = store.timeline(&k, None).unwrap();
        assert_eq!(
            (again.account.as_str(), again.platform),
            ("lucasweber1", Platform::Mastodon)
        );
        assert!(matches!(
            store.record_identity(&key("nobody"), "x", Platform::Twitter),
            Err(StoreError::UnknownAccount(_))
        ));
    }

    pub fn export_writes_jsonl_that_reads_back_as_the_same_posts(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("kim");
        store.ensure_account(&k, "kim@example.social").unwrap();
        let posts: Vec<Post> = (0..30).map(full_post).collect();
        store.insert_posts(&k, &posts).unwrap();

        let mut out = Vec::new();
        let lines = export_jsonl(store.as_ref(), &k, &mut out).unwrap();
        assert_eq!(lines, 30);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 30);
        assert!(text.ends_with('\n'));
        let back: Vec<Post> = text
            .lines()
            .map(|line| {
                let r: Record = serde_json::from_str(line).unwrap();
                assert_eq!(r.account, "kim@example.social");
                assert_eq!(r.platform, "mastodon");
                Post {
                    id: r.id,
                    created_at: r.created_at,
                    text: r.text,
                    kind: r.kind.unwrap_or_default(),
                    reply_to_id: r.reply_to_id,
                    reply_to_account: r.reply_to_account,
                    reply_to_created_at: r.reply_to_created_at,
                    client: r.client,
                    links: r.links,
                    lang: r.lang,
                }
            })
            .collect();
        assert_eq!(back, posts);

        assert!(matches!(
            export_jsonl(store.as_ref(), &key("nobody"), Vec::new()),
            Err(StoreError::UnknownAccount(_))
        ));
    }

    /// The trait methods `store copy` uses: runs with reports oldest first from a time, and
    /// importing a run with its original time, once.
    pub fn imported_runs_keep_their_time_and_import_once(open: &Open) {
        let (_dir, store) = fresh(open);
        let k = key("imp");
        store.ensure_account(&k, "imp").unwrap();
        let mut tl = Timeline::new("imp", Platform::Mastodon);
        tl.posts.push(full_post(1));
        let report = report_for(&tl);
        let at = |s: i64| t(s) + chrono::Duration::microseconds(42);
        // Imported newest first; read back oldest first.
        let later = store.import_run(&k, at(200), &report).unwrap().unwrap();
        let earlier = store.import_run(&k, at(100), &report).unwrap().unwrap();
        assert_eq!((earlier.at, later.at), (at(100), at(200)));
        // The same time and content again: nothing; the same content at another time is
        // another point of history (unlike record_run).
        assert_eq!(store.import_run(&k, at(200), &report).unwrap(), None);
        let mut changed = report.clone();
        changed.score = report.score.saturating_sub(1);
        assert!(store.import_run(&k, at(200), &changed).unwrap().is_some());

        let all = store.runs_since(&k, None, 10).unwrap();
        let times: Vec<_> = all.iter().map(|r| r.run.at).collect();
        assert_eq!(times, [at(100), at(200), at(200)]);
        assert_eq!(all[0].report, report);
        assert_eq!(all[0].run, earlier);
        let from = store.runs_since(&k, Some(at(200)), 1).unwrap();
        assert_eq!(from.len(), 1);
        assert_eq!(from[0].run, later);
        assert_eq!(store.runs(&k, 10).unwrap().len(), 3);
    }
}

/// SQLite's own tests: its file, pragmas and schema versions, files that are not echoscope
/// databases, and crash safety under SIGKILL. Another backend brings its own equivalents.
mod sqlite_only {
    use super::*;

    fn user_version(path: &Path) -> u32 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    }

    fn open_with_account(path: &Path, name: &str) -> Sqlite {
        let store = Sqlite::open(path).unwrap();
        store.ensure_account(&key(name), name).unwrap();
        store
    }

    #[test]
    fn open_creates_folders_and_sets_wal_and_incremental_vacuum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c/echoscope.db");
        open_with_account(&path, "hal")
            .insert_posts(&key("hal"), &batch_posts("p", 10))
            .unwrap();
        assert_eq!(user_version(&path), SCHEMA_VERSION);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let auto_vacuum: i64 = conn
            .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
            .unwrap();
        assert_eq!(auto_vacuum, 2, "incremental");
    }

    #[test]
    fn a_version_1_database_is_migrated_keeping_its_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        // A database as echoscope 0.1 left it: schema version 1, one account with a post.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../src/store/migrations/0001_initial.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA application_id = 1162037327; PRAGMA user_version = 1;
             INSERT INTO accounts (id, name, platform, handle, created)
                 VALUES (1, 'old', 'mastodon', 'old@example.social', 0);
             INSERT INTO posts (account_id, post_id, created_at, kind, text)
                 VALUES (1, 'p1', 1700000000000000, 'original', 'kept across the upgrade');",
        )
        .unwrap();
        drop(conn);

        let store = Sqlite::open(&path).unwrap();
        let tl = store.timeline(&key("old"), None).unwrap();
        assert_eq!(tl.posts.len(), 1);
        assert_eq!(tl.posts[0].text, "kept across the upgrade");
        let dm = DirectMessage {
            conversation_id: "c".into(),
            id: "m".into(),
            sender: "old".into(),
            recipient: None,
            created_at: t(0),
            text: "hello".into(),
        };
        assert_eq!(store.insert_direct_messages(&key("old"), &[dm]).unwrap(), 1);
        drop(store);
        assert_eq!(user_version(&path), SCHEMA_VERSION);
    }

    #[test]
    fn prune_gives_the_freed_pages_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_with_account(&dir.path().join("prune.db"), "gus");
        let posts: Vec<Post> = (0..2_000u32)
            .map(|i| {
                let mut p = full_post(i);
                p.text = p.text.repeat(20);
                p
            })
            .collect();
        store.insert_posts(&key("gus"), &posts).unwrap();
        let before = store.size_bytes().unwrap();
        assert!(before > 100_000, "size {before}");
        assert_eq!(
            store.prune(&|_| Some(posts[1500].created_at)).unwrap(),
            1500
        );
        let after = store.size_bytes().unwrap();
        assert!(after < before, "size {before} -> {after}");
    }

    #[test]
    fn errors_name_the_file_and_keep_the_sqlite_cause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();
        let err = Sqlite::open(&path).unwrap_err();
        // Named in words (issue 18): not a database, rather than SQLite's error code.
        let StoreError::Unusable {
            problem: echoscope::store::Problem::NotADatabase,
            source,
            ..
        } = &err
        else {
            panic!("not named as 'not a database': {err:?}");
        };
        assert!(err.to_string().contains("not a SQLite database"), "{err}");
        // The cause stays reachable for logs and debugging, boxed.
        assert!(
            source.downcast_ref::<rusqlite::Error>().is_some(),
            "{err:?}"
        );
        assert!(err
            .to_string()
            .starts_with(&format!("store {}: ", path.display())));
    }

    #[test]
    fn a_database_from_a_newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.db");
        open_with_account(&path, "ivy")
            .insert_posts(&key("ivy"), &batch_posts("p", 3))
            .unwrap();
        let future = SCHEMA_VERSION + 7;
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", future)
            .unwrap();

        let err = Sqlite::open(&path).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Schema { .. }), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains(&future.to_string()), "{msg}");
        assert!(msg.contains("newer"), "{msg}");

        // Nothing was changed: the version and the posts are as they were.
        assert_eq!(user_version(&path), future);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let posts: i64 = conn
            .query_row("SELECT count(*) FROM posts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(posts, 3);
    }

    #[test]
    fn a_file_that_is_not_sqlite_gives_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        let content = "these are my notes, not a database\n".repeat(200);
        std::fs::write(&path, &content).unwrap();
        let err = Sqlite::open(&path).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("not a database"), "{msg}");
        // Left as it was.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }

    #[test]
    fn another_programs_sqlite_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE posts (x); INSERT INTO posts VALUES (1);")
            .unwrap();
        drop(conn);
        let err = Sqlite::open(&path).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Schema { .. }), "{msg}");
        assert!(msg.contains("not an echoscope database"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
    }

    /// Posts per batch in the crash test: big enough that a batch takes a while to write, so the
    /// kill usually lands inside a transaction.
    const CRASH_BATCH: usize = 1_000;
    const CRASH_WRITER_ENV: &str = "ECHOSCOPE_STORE_CRASH_WRITER";

    /// Not a test on its own: the child process of `a_killed_writer_loses_no_committed_batch`.
    /// Inserts batches in a loop and prints `committed N` after each commit, until killed.
    #[test]
    fn crash_writer_child() {
        let Ok(path) = std::env::var(CRASH_WRITER_ENV) else {
            return;
        };
        let round = std::env::var("ECHOSCOPE_STORE_CRASH_ROUND").unwrap_or_default();
        let store = open_with_account(Path::new(&path), "crash");
        let mut out = std::io::stdout().lock();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut n = 0;
        // Bounded, so an orphan (parent test died before killing it) ends on its own.
        while Instant::now() < deadline {
            let posts = batch_posts(&format!("r{round}-b{n}"), CRASH_BATCH);
            assert_eq!(
                store.insert_posts(&key("crash"), &posts).unwrap(),
                CRASH_BATCH
            );
            writeln!(out, "committed {n}").unwrap();
            out.flush().unwrap();
            n += 1;
        }
    }

    #[test]
    fn a_killed_writer_loses_no_committed_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crash.db");
        let exe = std::env::current_exe().unwrap();
        // The helper's name as libtest knows it: `store::sqlite_only::crash_writer_child` in the
        // `integration` binary (its module path minus the crate), `sqlite_only::...` if this
        // file is ever built as a test target of its own.
        let child_test = match module_path!().split_once("::") {
            Some((_, module)) => format!("{module}::crash_writer_child"),
            None => "crash_writer_child".to_string(),
        };
        // Kill after different numbers of batches and delays (a batch takes a few milliseconds
        // in a debug build), so the kill lands at different points: early or late inside a
        // transaction, during a commit, during an automatic checkpoint.
        let rounds = [
            (3usize, 0u64),
            (5, 1_500),
            (7, 3_000),
            (9, 4_500),
            (11, 2_200),
            (13, 700),
        ];
        for (round, (wait_for, delay_us)) in rounds.into_iter().enumerate() {
            let mut child = Command::new(&exe)
                .args([
                    child_test.as_str(),
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CRASH_WRITER_ENV, &path)
                .env("ECHOSCOPE_STORE_CRASH_ROUND", round.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let stdout = child.stdout.take().unwrap();
            let mut reported = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap();
                if let Some(n) = line.strip_prefix("committed ") {
                    reported.push(n.parse::<usize>().unwrap());
                    if reported.len() == wait_for {
                        break;
                    }
                }
            }
            std::thread::sleep(Duration::from_micros(delay_us));
            // SIGKILL on Unix: no destructors, no rollback, no checkpoint.
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            assert_eq!(
                reported.len(),
                wait_for,
                "the writer stopped early: {}",
                String::from_utf8_lossy(&output.stderr)
            );

            let conn = rusqlite::Connection::open(&path).unwrap();
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(check, "ok", "round {round}");
            drop(conn);

            let store = Sqlite::open(&path).unwrap();
            let tl = store.timeline(&key("crash"), None).unwrap();
            let mut per_batch: BTreeMap<String, usize> = BTreeMap::new();
            for p in &tl.posts {
                let (batch, _) = p.id.rsplit_once('-').unwrap();
                *per_batch.entry(batch.to_string()).or_default() += 1;
            }
            // Every reported batch is there in full.
            for n in &reported {
                let got = per_batch.get(&format!("r{round}-b{n}")).copied();
                assert_eq!(got, Some(CRASH_BATCH), "round {round} batch {n}");
            }
            // Batches from the kill on are whole or absent: a transaction never half-survives.
            for (batch, count) in &per_batch {
                assert_eq!(*count, CRASH_BATCH, "partial batch {batch}");
            }
            eprintln!(
                "round {round}: killed after {} reported batches; {} batches stored in total",
                reported.len(),
                per_batch.len()
            );
        }
    }
}

/// PostgreSQL's own tests: schema versions and foreign databases, replicas migrating at once,
/// the lease round among replicas (shares, expiry, hand-over, fencing, release), a result
/// recorded once by two replicas, and connection loss.
mod postgres_only {
    use super::*;
    use crate::support::postgres as pg;
    use echoscope::store::postgres::{Postgres, SCHEMA_VERSION as PG_SCHEMA_VERSION};
    use echoscope::store::Lease;

    fn raw(url: &str) -> ::postgres::Client {
        ::postgres::Client::connect(url, ::postgres::NoTls).unwrap()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("acct{i:02}")).collect()
    }

    const LONG: Duration = Duration::from_secs(600);

    /// One replica's lease round as the daemon runs it: claim, then give back what is over the
    /// share (the caller's part of the protocol).
    fn round(store: &dyn Store, replica: &str, accounts: &[String], lease: Duration) -> Vec<Lease> {
        let leases = store.leases(replica, accounts, lease).unwrap();
        let mut held = leases.held;
        if held.len() > leases.share {
            let surplus: Vec<String> = held.drain(leases.share..).map(|l| l.account).collect();
            store.release(replica, &surplus).unwrap();
        }
        held
    }

    /// Every account held by exactly one replica.
    fn assert_partition(held: &[Vec<Lease>], accounts: &[String]) {
        let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, h) in held.iter().enumerate() {
            for l in h {
                assert!(
                    owners.insert(&l.account, i).is_none(),
                    "{} held twice",
                    l.account
                );
            }
        }
        let all: Vec<&str> = accounts.iter().map(String::as_str).collect();
        assert_eq!(owners.keys().copied().collect::<Vec<_>>(), all);
    }

    #[test]
    fn a_database_from_a_newer_schema_is_refused_untouched() {
        let url = pg::database();
        let store = Postgres::open(&url).unwrap();
        store.ensure_account(&key("ivy"), "ivy").unwrap();
        store
            .insert_posts(&key("ivy"), &batch_posts("p", 3))
            .unwrap();
        let label = store.label().to_string();
        drop(store);
        let future = PG_SCHEMA_VERSION + 7;
        raw(&url)
            .execute(
                "INSERT INTO echoscope_schema_version (version) VALUES ($1)",
                &[&future],
            )
            .unwrap();

        let err = Postgres::open(&url).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Schema { .. }), "{msg}");
        assert!(msg.contains(&label), "{msg}");
        assert!(msg.contains(&future.to_string()), "{msg}");
        assert!(msg.contains("newer"), "{msg}");
        let posts: i64 = raw(&url)
            .query_one("SELECT count(*) FROM posts", &[])
            .unwrap()
            .get(0);
        assert_eq!(posts, 3);
    }

    #[test]
    fn another_programs_database_is_refused() {
        let url = pg::database();
        raw(&url)
            .batch_execute("CREATE TABLE invoices (id int PRIMARY KEY, total numeric)")
            .unwrap();
        let err = Postgres::open(&url).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Schema { .. }), "{msg}");
        assert!(msg.contains("not an echoscope database"), "{msg}");
        // Untouched: no version table was created.
        let created: bool = raw(&url)
            .query_one(
                "SELECT to_regclass('echoscope_schema_version') IS NOT NULL",
                &[],
            )
            .unwrap()
            .get(0);
        assert!(!created);
    }

    #[test]
    fn errors_name_the_database_without_the_password() {
        let url = pg::database().replace("postgres@", "postgres:hunter2@");
        // Trust authentication ignores the password; the label still must not show it.
        let store = Postgres::open(&url).unwrap();
        assert!(!store.label().contains("hunter2"), "{}", store.label());
        let err = store.post_count(&key("nobody")).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("hunter2"));
        let missing = url.rsplit_once('/').unwrap().0.to_string() + "/no_such_database";
        let err = Postgres::open(&missing).unwrap_err();
        let msg = err.to_string();
        assert!(!msg.contains("hunter2"), "{msg}");
        assert!(msg.contains("/no_such_database"), "{msg}");
    }

    /// The daemon opens the store in async code and drops it there at shutdown; the blocking
    /// client would panic starting its runtime on an async worker.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn opening_and_dropping_the_store_on_an_async_worker_does_not_panic() {
        let url = pg::database();
        let store: Arc<dyn Store> = echoscope::store::open(&echoscope::config::Store {
            url: Some(url),
            ..Default::default()
        })
        .unwrap();
        let worker = Arc::clone(&store);
        tokio::task::spawn_blocking(move || {
            worker.ensure_account(&key("async"), "async").unwrap();
            worker.check().unwrap();
        })
        .await
        .unwrap();
        // The last handle goes here, on the async worker, with pooled connections open.
        drop(store);
    }

    #[test]
    fn a_nul_character_in_a_post_is_stored_not_refused() {
        let store = Postgres::open(&pg::database()).unwrap();
        let k = key("nul");
        store.ensure_account(&k, "nul").unwrap();
        let mut posts = batch_posts("n", 2);
        posts[0].text = "before\0after".into();
        posts[1].client = Some("bot\0".into());
        let dm = DirectMessage {
            conversation_id: "c\0".into(),
            id: "m1".into(),
            sender: "nul".into(),
            recipient: None,
            created_at: t(1),
            text: "hi\0".into(),
        };
        let mut tl = Timeline::new("nul", Platform::Mastodon);
        tl.posts = posts;
        tl.direct_messages = vec![dm];
        let state = FetchState::default();
        assert_eq!(store.commit_fetch(&k, Some(&tl), &state, None).unwrap(), 3);
        let back = store.timeline(&k, None).unwrap();
        assert_eq!(back.posts[0].text, "before\u{FFFD}after");
        assert_eq!(back.posts[1].client.as_deref(), Some("bot\u{FFFD}"));
        assert_eq!(back.direct_messages[0].text, "hi\u{FFFD}");
    }

    #[test]
    fn concurrent_openers_migrate_once() {
        let url = pg::database();
        let barrier = Arc::new(std::sync::Barrier::new(3));
        let openers: Vec<_> = (0..3)
            .map(|_| {
                let (url, barrier) = (url.clone(), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    Postgres::open(&url).map(|_| ())
                })
            })
            .collect();
        for o in openers {
            o.join().unwrap().unwrap();
        }
        let versions: Vec<i32> = raw(&url)
            .query(
                "SELECT version FROM echoscope_schema_version ORDER BY version",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(versions, (1..=PG_SCHEMA_VERSION).collect::<Vec<_>>());
    }

    #[test]
    fn three_replicas_share_the_accounts_each_held_by_exactly_one() {
        let url = pg::database();
        let accounts = names(10);
        let stores: Vec<Postgres> = (0..3).map(|_| Postgres::open(&url).unwrap()).collect();
        // All three claim at once: SKIP LOCKED keeps their claims apart.
        let barrier = Arc::new(std::sync::Barrier::new(3));
        let first: Vec<Vec<Lease>> = std::thread::scope(|s| {
            let handles: Vec<_> = stores
                .iter()
                .enumerate()
                .map(|(i, store)| {
                    let (barrier, accounts) = (Arc::clone(&barrier), &accounts);
                    s.spawn(move || {
                        barrier.wait();
                        store.leases(&format!("r{i}"), accounts, LONG).unwrap().held
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut seen = std::collections::HashSet::new();
        for l in first.iter().flatten() {
            assert!(
                seen.insert(l.account.clone()),
                "{} claimed twice",
                l.account
            );
        }
        // A few rounds settle every replica at its share (ceil(10 / 3) = 4 at most).
        let mut held = Vec::new();
        for _ in 0..3 {
            held = stores
                .iter()
                .enumerate()
                .map(|(i, s)| round(s, &format!("r{i}"), &accounts, LONG))
                .collect();
        }
        assert_partition(&held, &accounts);
        for h in &held {
            assert!(h.len() <= 4, "{} held", h.len());
        }
        let leases = stores[0].leases("r0", &accounts, LONG).unwrap();
        assert_eq!((leases.share, leases.replicas), (4, 3));
    }

    #[test]
    fn a_new_replica_gets_its_share_after_others_give_back_surplus() {
        let store = Postgres::open(&pg::database()).unwrap();
        let accounts = names(10);
        round(&store, "a", &accounts, LONG);
        round(&store, "b", &accounts, LONG);
        let a = round(&store, "a", &accounts, LONG);
        let b = round(&store, "b", &accounts, LONG);
        assert_partition(&[a.clone(), b.clone()], &accounts);
        assert_eq!((a.len(), b.len()), (5, 5));

        // c joins: everything is held, so its first round gets nothing but raises the count.
        let first = store.leases("c", &accounts, LONG).unwrap();
        assert_eq!((first.held.len(), first.share, first.replicas), (0, 4, 3));
        // a and b see the smaller share and give one each back; c then takes them.
        let a = round(&store, "a", &accounts, LONG);
        let b = round(&store, "b", &accounts, LONG);
        let c = round(&store, "c", &accounts, LONG);
        assert_eq!((a.len(), b.len(), c.len()), (4, 4, 2));
        assert_partition(&[a, b, c], &accounts);
    }

    #[test]
    fn an_expired_lease_is_taken_over_with_a_newer_token() {
        let store = Postgres::open(&pg::database()).unwrap();
        let accounts = names(4);
        // Long enough that b's first round (just below) surely comes before it ends.
        let short = Duration::from_secs(2);
        let a = store.leases("a", &accounts, short).unwrap().held;
        assert_eq!(a.len(), 4);
        // b is live but everything is held.
        assert!(store.leases("b", &accounts, LONG).unwrap().held.is_empty());
        // a stops renewing (it hung, or died): after the lease time b takes everything over.
        std::thread::sleep(Duration::from_millis(2_300));
        let b = store.leases("b", &accounts, LONG).unwrap();
        assert_eq!(b.replicas, 1, "a expired with its leases");
        assert_eq!(b.held.len(), 4);
        for (old, new) in a.iter().zip(&b.held) {
            assert_eq!(old.account, new.account);
            assert!(new.token > old.token, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn a_write_under_a_stale_token_is_refused_and_writes_nothing() {
        let store = Postgres::open(&pg::database()).unwrap();
        let accounts = vec!["fen".to_string()];
        let k = key("fen");
        store.ensure_account(&k, "fen").unwrap();
        let old = store.leases("a", &accounts, LONG).unwrap().held.remove(0);
        // a loses the account (released here; expiry does the same) and b claims it.
        store.release("a", &accounts).unwrap();
        let new = store.leases("b", &accounts, LONG).unwrap().held.remove(0);
        assert!(new.token > old.token);

        let mut tl = Timeline::new("fen", Platform::Mastodon);
        tl.posts = batch_posts("stale", 3);
        let state = FetchState {
            cursor: Some("stale-2".into()),
            ..FetchState::default()
        };
        let err = store
            .commit_fetch(&k, Some(&tl), &state, Some(&old))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::LeaseLost { ref account } if account == "fen"),
            "{err}"
        );
        assert_eq!(store.post_count(&k).unwrap(), 0);
        assert_eq!(store.fetch_state(&k).unwrap(), FetchState::default());

        // The holder's write goes through.
        assert_eq!(
            store
                .commit_fetch(&k, Some(&tl), &state, Some(&new))
                .unwrap(),
            3
        );
        assert_eq!(store.fetch_state(&k).unwrap(), state);
        // An expired lease is refused too, even while nobody else claimed it.
        let short = store
            .leases("b", &accounts, Duration::from_millis(200))
            .unwrap();
        std::thread::sleep(Duration::from_millis(400));
        assert!(matches!(
            store.commit_fetch(&k, None, &state, Some(&short.held[0])),
            Err(StoreError::LeaseLost { .. })
        ));
    }

    #[test]
    fn released_accounts_are_claimed_at_once() {
        let store = Postgres::open(&pg::database()).unwrap();
        let accounts = names(6);
        assert_eq!(store.leases("a", &accounts, LONG).unwrap().held.len(), 6);
        store.release("a", &accounts[..3]).unwrap();
        // Releasing what another replica holds changes nothing.
        store.release("b", &accounts[3..]).unwrap();
        let b = store.leases("b", &accounts, LONG).unwrap();
        let got: Vec<_> = b.held.iter().map(|l| l.account.as_str()).collect();
        assert_eq!(got, ["acct00", "acct01", "acct02"]);
        let a = store.leases("a", &accounts, LONG).unwrap();
        assert_eq!(a.held.len(), 3);
        assert_partition(&[a.held, b.held], &accounts);
    }

    /// The 100,000-account limit: a round that rewrote one row per account held outgrew its
    /// time bound. A round now writes the heartbeat alone, and that keeps every lease valid.
    #[test]
    fn a_round_renews_every_lease_through_the_heartbeat_without_rewriting_lease_rows() {
        let url = pg::database();
        let store = Postgres::open(&url).unwrap();
        let accounts = names(500);
        let k = key("acct42");
        store.ensure_account(&k, "acct42").unwrap();
        let lease_time = Duration::from_millis(1_500);
        let held = store.leases("a", &accounts, lease_time).unwrap().held;
        assert_eq!(held.len(), 500);
        let versions = |db: &mut ::postgres::Client| -> Vec<String> {
            db.query(
                "SELECT account || ' ' || xmin::text FROM leases ORDER BY account",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
        };
        let mut db = raw(&url);
        let before = versions(&mut db);
        // Renewed for three lease times, each round well inside the last one.
        for _ in 0..9 {
            std::thread::sleep(Duration::from_millis(500));
            let again = store.leases("a", &accounts, lease_time).unwrap().held;
            assert_eq!(again, held, "the same leases, the same tokens");
        }
        assert_eq!(versions(&mut db), before, "no lease row was rewritten");
        // Still valid long after the first round's lease time: a fenced write goes through,
        // and another replica finds nothing to claim.
        let lease = held.iter().find(|l| l.account == "acct42").unwrap();
        let state = FetchState::default();
        store.commit_fetch(&k, None, &state, Some(lease)).unwrap();
        assert!(store.leases("b", &accounts, LONG).unwrap().held.is_empty());
    }

    /// A round's work is bounded: a replica starting beside more free accounts than one batch
    /// takes them over in several rounds.
    #[test]
    fn a_round_claims_at_most_one_batch() {
        use echoscope::store::postgres::CLAIM_BATCH;
        let store = Postgres::open(&pg::database()).unwrap();
        let batch = usize::try_from(CLAIM_BATCH).unwrap();
        let accounts: Vec<String> = (0..batch + 7).map(|i| format!("acct{i:06}")).collect();
        let first = store.leases("a", &accounts, LONG).unwrap();
        assert_eq!(first.held.len(), batch);
        assert_eq!(first.share, batch + 7);
        let second = store.leases("a", &accounts, LONG).unwrap();
        assert_eq!(second.held.len(), batch + 7);
        assert_eq!(&second.held[..batch], &first.held[..]);
    }

    #[test]
    fn accounts_no_longer_configured_are_given_back() {
        let store = Postgres::open(&pg::database()).unwrap();
        let accounts = names(6);
        assert_eq!(store.leases("a", &accounts, LONG).unwrap().held.len(), 6);
        // A reload drops three accounts from a's configuration; b's still has all six.
        let a = store.leases("a", &accounts[..3], LONG).unwrap().held;
        let got: Vec<_> = a.iter().map(|l| l.account.as_str()).collect();
        assert_eq!(got, ["acct00", "acct01", "acct02"]);
        let b = store.leases("b", &accounts, LONG).unwrap().held;
        let got: Vec<_> = b.iter().map(|l| l.account.as_str()).collect();
        assert_eq!(got, ["acct03", "acct04", "acct05"]);
        // And back: a's own accounts stay a's across the change.
        let a2 = store.leases("a", &accounts, LONG).unwrap().held;
        assert_eq!(a2, a);
    }

    #[test]
    fn two_replicas_recording_the_same_result_record_it_once() {
        let url = pg::database();
        let stores: Vec<Postgres> = (0..4).map(|_| Postgres::open(&url).unwrap()).collect();
        let k = key("twice");
        stores[0].ensure_account(&k, "twice").unwrap();
        let mut tl = Timeline::new("twice", Platform::Mastodon);
        tl.posts = (0..5).map(full_post).collect();
        let report = report_for(&tl);
        for attempt in 0..10 {
            let mut changed = report.clone();
            changed.score = attempt;
            let barrier = std::sync::Barrier::new(stores.len());
            let recorded: usize = std::thread::scope(|s| {
                let handles: Vec<_> = stores
                    .iter()
                    .map(|store| {
                        let (barrier, changed, k) = (&barrier, &changed, &k);
                        s.spawn(move || {
                            barrier.wait();
                            store.record_run(k, changed).unwrap().is_some() as usize
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).sum()
            });
            assert_eq!(recorded, 1, "attempt {attempt}");
        }
        assert_eq!(stores[0].runs(&k, 100).unwrap().len(), 10);
    }

    #[test]
    fn check_fails_quickly_while_the_server_is_down_and_calls_recover_after() {
        let cluster = pg::Cluster::start();
        let store = Postgres::open(&cluster.database()).unwrap();
        store.ensure_account(&key("up"), "up").unwrap();
        store.check().unwrap();
        assert_eq!(store.reconnects(), 0);

        cluster.stop_server();
        let start = Instant::now();
        let err = store.check().unwrap_err();
        let took = start.elapsed();
        assert!(took < Duration::from_secs(5), "check took {took:?}: {err}");
        assert!(
            matches!(
                err,
                StoreError::Backend {
                    backend: Backend::Postgres,
                    ..
                }
            ),
            "{err}"
        );

        cluster.start_server();
        store
            .insert_posts(&key("up"), &batch_posts("back", 4))
            .unwrap();
        store.check().unwrap();
        assert_eq!(store.post_count(&key("up")).unwrap(), 4);
        assert!(store.reconnects() >= 1, "reconnects {}", store.reconnects());
    }

    #[test]
    fn a_call_waits_out_a_short_outage_instead_of_failing() {
        let cluster = Arc::new(pg::Cluster::start());
        let store = Postgres::open(&cluster.database()).unwrap();
        store.ensure_account(&key("blip"), "blip").unwrap();
        cluster.stop_server();
        let restarter = {
            let cluster = Arc::clone(&cluster);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(2));
                cluster.start_server();
            })
        };
        // Retried with backoff while the server is down, then succeeds.
        assert_eq!(
            store
                .insert_posts(&key("blip"), &batch_posts("x", 2))
                .unwrap(),
            2
        );
        restarter.join().unwrap();
        assert!(store.reconnects() >= 1);
    }
}

/// `store copy`: SQLite to PostgreSQL and back, equal to the source, idempotent, resumable.
mod copy {
    use super::*;
    use echoscope::store::copy::{copy, copy_account, Copied};
    use echoscope::store::postgres::Postgres;
    use echoscope::store::sqlite::Sqlite;

    /// A source with two accounts: posts, direct messages, fetch state, three runs each.
    fn fill(store: &dyn Store) {
        for (n, name) in ["ann", "ben"].iter().enumerate() {
            let k = key(name);
            store
                .ensure_account(&k, &format!("{name}@example.social"))
                .unwrap();
            let posts: Vec<Post> = (0..40 + n as u32).map(full_post).collect();
            store.insert_posts(&k, &posts).unwrap();
            let dms = vec![DirectMessage {
                conversation_id: "c1".into(),
                id: format!("{name}-m1"),
                sender: name.to_string(),
                recipient: Some("fan".into()),
                created_at: t(30) + chrono::Duration::microseconds(9),
                text: "Thanks for reaching out!".into(),
            }];
            store.insert_direct_messages(&k, &dms).unwrap();
            let mut tl = Timeline::new(*name, Platform::Mastodon);
            for i in 0..3 {
                tl.posts.push(full_post(i));
                let mut report = report_for(&tl);
                report.score = 50 + i;
                store
                    .import_run(
                        &k,
                        t(1_000 + i64::from(i)) + chrono::Duration::microseconds(3),
                        &report,
                    )
                    .unwrap()
                    .unwrap();
            }
            store
                .set_fetch_state(
                    &k,
                    &FetchState {
                        etag: Some(format!("\"{name}\"")),
                        cursor: Some("1100000039".into()),
                        backfilled: true,
                        last_success: Some(t(2_000) + chrono::Duration::microseconds(1)),
                        ..FetchState::default()
                    },
                )
                .unwrap();
        }
    }

    /// One account as `store copy` moves it: key, timeline, fetch state, and runs as (time,
    /// score, findings, report), without the backend's row ids.
    type Contents = (
        AccountKey,
        Timeline,
        FetchState,
        Vec<(DateTime<Utc>, u32, u64, AccountReport)>,
    );

    /// Everything `store copy` moves.
    fn contents(store: &dyn Store) -> Vec<Contents> {
        store
            .accounts()
            .unwrap()
            .into_iter()
            .map(|k| {
                let runs = store
                    .runs_since(&k, None, 1_000)
                    .unwrap()
                    .into_iter()
                    .map(|r| (r.run.at, r.run.score, r.run.findings, r.report))
                    .collect();
                let tl = store.timeline(&k, None).unwrap();
                let state = store.fetch_state(&k).unwrap();
                (k, tl, state, runs)
            })
            .collect()
    }

    fn sqlite_source(dir: &Path) -> Sqlite {
        let source = Sqlite::open(dir.join("source.db")).unwrap();
        fill(&source);
        source
    }

    #[test]
    fn a_sqlite_history_copied_to_postgres_equals_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let source = sqlite_source(dir.path());
        let target = Postgres::open(&crate::support::postgres::database()).unwrap();
        let mut per_account = Vec::new();
        let copied = copy(&source, &target, |a| per_account.push(a.clone())).unwrap();
        assert_eq!(
            copied,
            Copied {
                accounts: 2,
                posts: 81,
                direct_messages: 2,
                fetch_states: 2,
                runs: 6,
            }
        );
        assert_eq!(per_account.len(), 2);
        assert_eq!(per_account[1].posts, 41);
        let expected = contents(&source);
        assert_eq!(expected[0].3.len(), 3);
        assert_eq!(contents(&target), expected);
        assert_eq!(
            target.latest_report(&key("ann")).unwrap(),
            source.latest_report(&key("ann")).unwrap()
        );
    }

    /// A watched file's account exports the handle and platform its file names: so must its
    /// copy, not the path and `other` of its key.
    #[test]
    fn a_watched_files_recorded_identity_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        let source = Sqlite::open(dir.path().join("source.db")).unwrap();
        let k = AccountKey {
            name: "watched".into(),
            platform: Platform::Other,
        };
        source.ensure_account(&k, "/data/people.jsonl").unwrap();
        source.insert_posts(&k, &[full_post(1)]).unwrap();
        source
            .record_identity(&k, "chloe_ali0", Platform::Twitter)
            .unwrap();
        let target = Postgres::open(&crate::support::postgres::database()).unwrap();
        copy(&source, &target, |_| {}).unwrap();
        let copied = target.timeline(&k, None).unwrap();
        assert_eq!(
            (copied.account.as_str(), copied.platform),
            ("chloe_ali0", Platform::Twitter)
        );
        assert_eq!(contents(&target), contents(&source));
    }

    #[test]
    fn copying_twice_copies_nothing_the_second_time() {
        let dir = tempfile::tempdir().unwrap();
        let source = sqlite_source(dir.path());
        let target = Postgres::open(&crate::support::postgres::database()).unwrap();
        assert!(!copy(&source, &target, |_| {}).unwrap().is_empty());
        let again = copy(&source, &target, |_| {}).unwrap();
        assert_eq!(again, Copied::default());
        assert_eq!(target.runs(&key("ann"), 100).unwrap().len(), 3);
        assert_eq!(contents(&target), contents(&source));
    }

    #[test]
    fn an_interrupted_copy_resumes_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let source = sqlite_source(dir.path());
        let target = Postgres::open(&crate::support::postgres::database()).unwrap();
        // Interrupted after the first account, and halfway through the second one's posts.
        copy_account(&source, &target, &key("ann"), false).unwrap();
        target
            .ensure_account(&key("ben"), "ben@example.social")
            .unwrap();
        let half: Vec<Post> = (0..20).map(full_post).collect();
        target.insert_posts(&key("ben"), &half).unwrap();

        let rest = copy(&source, &target, |_| {}).unwrap();
        assert_eq!(
            rest,
            Copied {
                accounts: 0,
                posts: 21,
                direct_messages: 1,
                fetch_states: 1,
                runs: 3,
            }
        );
        assert_eq!(contents(&target), contents(&source));
    }

    #[test]
    fn a_postgres_history_copies_back_to_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let source = Postgres::open(&crate::support::postgres::database()).unwrap();
        fill(&source);
        let target = Sqlite::open(dir.path().join("back.db")).unwrap();
        let copied = copy(&source, &target, |_| {}).unwrap();
        assert_eq!((copied.posts, copied.runs), (81, 6));
        assert_eq!(contents(&target), contents(&source));
    }

    #[test]
    fn export_reads_the_database_named_by_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::support::postgres::database().replace("postgres@", "postgres:sekrit@");
        let store = Postgres::open(&url).unwrap();
        fill(&store);
        drop(store);
        let export = |account: &str| {
            Command::new(env!("CARGO_BIN_EXE_echoscope"))
                .args(["export", "--account", account])
                .current_dir(dir.path())
                .env("ECHOSCOPE_STORE_URL", &url)
                .output()
                .unwrap()
        };
        let out = export("ann");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 40);
        // An unknown account: the error names the database, without the password.
        let out = export("zoe");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("is not in the store postgres://postgres@127.0.0.1:"),
            "{stderr}"
        );
        assert!(!stderr.contains("sekrit"), "{stderr}");
    }

    #[test]
    fn the_store_copy_command_prints_counts_and_never_the_password() {
        let dir = tempfile::tempdir().unwrap();
        drop(sqlite_source(dir.path()));
        let from = dir.path().join("source.db");
        let to = crate::support::postgres::database().replace("postgres@", "postgres:sekrit@");
        let run = || {
            let out = Command::new(env!("CARGO_BIN_EXE_echoscope"))
                .args(["store", "copy", "--verbose", "--from"])
                .arg(&from)
                .args(["--to", &to])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).to_string();
            assert!(out.status.success(), "{stderr}");
            assert!(!stderr.contains("sekrit"), "{stderr}");
            stderr
        };
        let first = run();
        assert!(
            first.contains("2 accounts, 81 posts, 2 direct messages, 2 fetch states, 6 runs"),
            "{first}"
        );
        assert!(first.contains("ben\tmastodon: 41 posts"), "{first}");
        let second = run();
        assert!(second.contains("0 accounts, 0 posts"), "{second}");
        assert!(second.contains("already had everything"), "{second}");
    }
}
