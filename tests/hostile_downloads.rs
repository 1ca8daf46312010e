//! Hostile input for every brand-download reader at once: a 1 GiB file (sparse: no disk is
//! written) is refused by its size before it is read, and the error names it.

use echoscope::model::InputFormat;
use echoscope::sources::{self, Limits, SourceError};

#[test]
fn a_huge_sparse_file_is_refused_by_its_size_by_every_reader() {
    let cases = [
        ("repo.car", InputFormat::BlueskyCar),
        ("your_posts_1.json", InputFormat::Facebook),
        ("posts_1.json", InputFormat::Instagram),
        ("Shares.csv", InputFormat::Linkedin),
        ("comments.csv", InputFormat::YoutubeTakeout),
        ("posts.csv", InputFormat::Reddit),
        ("user_data.json", InputFormat::Tiktok),
        ("Comments.txt", InputFormat::Tiktok),
    ];
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        ..Limits::default()
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in cases {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        let err = sources::read(&path, Some(format), &limits).unwrap_err();
        assert!(
            matches!(err, SourceError::TooLarge { .. }),
            "{format}: {err:?}"
        );
        assert!(err.to_string().contains(name), "{format}: {err}");
    }
}
