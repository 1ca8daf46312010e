//! A folder holding one brand's downloads from several platforms: `scan` finds each download
//! by its content, reads each account, and lists what it could not read.

use std::path::{Path, PathBuf};

use echoscope::model::{InputFormat, Platform};
use echoscope::scan;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_folder_of_several_platforms_downloads_reports_each_account() {
    let dir = tempfile::tempdir().unwrap();
    let brand = dir.path().join("lumen");
    let f = fixtures();
    copy_dir(
        &f.join("facebook/new-layout"),
        &brand.join("facebook-lumen"),
    );
    copy_dir(
        &f.join("instagram/download"),
        &brand.join("instagram-lumen"),
    );
    copy_dir(&f.join("linkedin/export"), &brand.join("linkedin"));
    copy_dir(
        &f.join("real/youtube-takeout/YouTube and YouTube Music"),
        &brand.join("Takeout/YouTube and YouTube Music"),
    );
    std::fs::create_dir_all(brand.join("bluesky")).unwrap();
    std::fs::copy(
        f.join("real/bluesky-car/bnewbold.robocracy.org.20250310005405.car"),
        brand.join("bluesky/repo.car"),
    )
    .unwrap();
    // TikTok's download is one file: loose at the top, beside the other downloads.
    std::fs::copy(
        f.join("tiktok/user_data.json"),
        brand.join("user_data.json"),
    )
    .unwrap();
    std::fs::write(brand.join("notes.txt"), "campaign plan, not an export").unwrap();

    let loaded = scan::load(std::slice::from_ref(&brand), &scan::Options::default()).unwrap();
    let mut accounts: Vec<(Platform, String)> = loaded
        .timelines
        .iter()
        .map(|t| (t.platform, t.account.clone()))
        .collect();
    accounts.sort();
    assert_eq!(
        accounts,
        [
            (
                Platform::Bluesky,
                "did:plc:nhxcyu4ewwhl5pqil4dotqjo".to_string()
            ),
            (Platform::Facebook, "Lumen Lämps".to_string()),
            (Platform::Instagram, "lumen.lamps".to_string()),
            (Platform::Threads, "lumen.lamps".to_string()),
            (Platform::Linkedin, "Lumen Lamps".to_string()),
            (Platform::Youtube, "UCA6DtnbZ2KJckyTYfXOwQNA".to_string()),
            (Platform::Tiktok, "lumen.lamps".to_string()),
        ]
    );
    let formats: Vec<Option<InputFormat>> = loaded.inputs.iter().map(|i| i.format).collect();
    for f in [
        InputFormat::BlueskyCar,
        InputFormat::Facebook,
        InputFormat::Instagram,
        InputFormat::Linkedin,
        InputFormat::YoutubeTakeout,
        InputFormat::Tiktok,
    ] {
        assert!(formats.contains(&Some(f)), "{f} missing from {formats:?}");
    }
    // What no source reads is listed with why, and each read input says what it lacks.
    let notes = loaded
        .inputs
        .iter()
        .find(|i| i.path.ends_with("notes.txt"))
        .expect("notes.txt listed");
    assert!(notes.error.is_some());
    assert!(loaded
        .inputs
        .iter()
        .filter(|i| i.format.is_some())
        .all(|i| !i.notes.is_empty()));

    // The report, notes and new formats and platforms included, matches the report schema.
    let report = scan::report(loaded, &scan::Options::default(), &|| {});
    let json = serde_json::to_value(&report).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../src/schema/report.v1.json")).unwrap();
    let validator = jsonschema::options().build(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["notes"].as_array().is_some_and(|n| !n.is_empty())));
}
