//! The readers, as a user meets them: good records read, bad ones located.

use ctip_input::{Format, RecordResult, discover, read_records};
use std::io::Cursor;

fn read(format: Format, data: &[u8]) -> Vec<RecordResult> {
    read_records(Cursor::new(data.to_vec()), format, "input")
        .expect("source is usable")
        .collect()
}

fn errors(results: &[RecordResult]) -> Vec<String> {
    results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(ToString::to_string)
        .collect()
}

#[test]
fn jsonl_reads_fields_and_aliases() {
    let data = br#"{"id": "a1", "title": "Hi", "body": "call me", "city": "Boston", "posted_at": "2026-01-02"}
{"ID": 7, "text": "second", "state": "MA"}

{"description": "third one"}
"#;
    let results = read(Format::Jsonl, data);
    assert_eq!(results.len(), 3);
    let ads: Vec<_> = results.into_iter().map(|r| r.expect("valid").ad).collect();
    assert_eq!(ads[0].id, "a1");
    assert_eq!(ads[0].city.as_deref(), Some("Boston"));
    assert_eq!(ads[1].id, "7");
    assert_eq!(ads[1].body, "second");
    assert_eq!(ads[1].region.as_deref(), Some("MA"));
    assert!(
        ads[2].id.starts_with('h'),
        "content id for a record without one"
    );
}

#[test]
fn malformed_jsonl_records_are_located_and_the_rest_survive() {
    let data = b"{\"body\": \"ok 1\"}\n{not json}\n[1,2]\n{\"title\": 5, \"body\": \"x\"}\n{\"id\": \"n\"}\n\xff\xfe\n{\"body\": \"ok 2\"}\n";
    let results = read(Format::Jsonl, data);
    let errs = errors(&results);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2);
    assert_eq!(errs.len(), 5, "{errs:#?}");
    assert!(errs[0].starts_with("input:2: invalid JSON"), "{}", errs[0]);
    assert!(
        errs[1].starts_with("input:3: expected a JSON object, found an array"),
        "{}",
        errs[1]
    );
    assert!(
        errs[2].contains("input:4: field `title` must be a string"),
        "{}",
        errs[2]
    );
    assert!(
        errs[3].starts_with("input:5: record has no text"),
        "{}",
        errs[3]
    );
    assert!(errs[4].starts_with("input:6: invalid JSON"), "{}", errs[4]);
}

#[test]
fn an_overlong_line_is_reported_and_skipped() {
    let mut data = b"{\"body\": \"before\"}\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', ctip_input::MAX_RECORD_BYTES + 10));
    data.extend(b"\n{\"body\": \"after\"}\n");
    let results = read(Format::Jsonl, &data);
    assert_eq!(results.len(), 3);
    assert!(errors(&results)[0].starts_with("input:2: record longer than"));
    assert_eq!(results[2].as_ref().expect("valid").ad.body, "after");
}

#[test]
fn csv_reads_by_header_and_locates_bad_rows() {
    let data =
        b"ID,Body,City\n1,\"hello, world\",Miami\n2,only two\n3,\"multi\nline\",Boston\n4,\xff,X\n";
    let results = read(Format::Csv, data);
    let ok: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].ad.body, "hello, world");
    assert_eq!(ok[1].ad.body, "multi\nline");
    assert_eq!(ok[1].location.line, 4);
    let errs = errors(&results);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].starts_with("input:3: expected 3 fields"),
        "{}",
        errs[0]
    );
    assert!(
        errs[1].starts_with("input:6: column 2 (`body`) is not valid UTF-8"),
        "{}",
        errs[1]
    );
}

#[test]
fn csv_without_a_text_column_is_refused_whole() {
    let err = read_records(Cursor::new(b"a,b\n1,2\n".to_vec()), Format::Csv, "in.csv")
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .contains("in.csv:1: the CSV header has no text column"),
        "{err}"
    );
}

#[test]
fn text_lines_are_ads_and_bad_utf8_is_located() {
    let results = read(
        Format::Text,
        b"first ad\n\n  \nsecond ad\r\n\xc3\x28 broken\n",
    );
    assert_eq!(results.len(), 3);
    assert_eq!(results[1].as_ref().expect("valid").ad.body, "second ad");
    assert!(errors(&results)[0].starts_with("input:5: not valid UTF-8"));
}

#[test]
fn folders_are_walked_in_order_and_missing_paths_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(dir.path().join("b.csv"), "body\nx\n").expect("write");
    std::fs::write(dir.path().join("a.jsonl"), "{}").expect("write");
    std::fs::write(dir.path().join("sub/c.txt"), "x").expect("write");
    std::fs::write(dir.path().join(".hidden"), "x").expect("write");
    let files = discover(&[dir.path().to_path_buf()], None).expect("discovered");
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.path
                .as_ref()
                .expect("file")
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["a.jsonl", "b.csv", "c.txt"]);
    let missing = discover(&[dir.path().join("nope.jsonl")], None).expect_err("missing");
    assert!(missing.to_string().contains("nope.jsonl"));
}

proptest::proptest! {
    #[test]
    fn no_input_makes_a_reader_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        for format in [Format::Jsonl, Format::Csv, Format::Text] {
            if let Ok(records) = read_records(Cursor::new(data.clone()), format, "fuzz") {
                for _ in records {}
            }
        }
    }
}

#[test]
fn labels_are_read_from_jsonl_and_csv() {
    let jsonl = read(
        Format::Jsonl,
        b"{\"body\": \"a\", \"label\": true}\n{\"body\": \"b\", \"label\": 0}\n{\"body\": \"c\"}\n",
    );
    let labels: Vec<Option<String>> = jsonl.into_iter().map(|r| r.expect("valid").label).collect();
    assert_eq!(labels, vec![Some("true".into()), Some("0".into()), None]);
    let csv = read(Format::Csv, b"label,text\n1,x\n");
    assert_eq!(csv[0].as_ref().expect("valid").label.as_deref(), Some("1"));
}

#[test]
fn every_alias_is_read_whatever_the_key_case() {
    let line = br#"{"_id": "z", "Text": "body \"quoted\"", "Subject": "t", "LINK": "u", "date": "d", "location": "Boston", "STATE": "MA", "country_code": "US", "poster_name": "n", "extra": [1, {"a": 2}]}"#;
    let record = read(Format::Jsonl, line).remove(0).expect("valid");
    let ad = record.ad;
    assert_eq!(
        (
            ad.id.as_str(),
            ad.body.as_str(),
            ad.title.as_deref(),
            ad.url.as_deref(),
            ad.posted_at.as_deref()
        ),
        ("z", "body \"quoted\"", Some("t"), Some("u"), Some("d"))
    );
    assert_eq!(
        (
            ad.city.as_deref(),
            ad.region.as_deref(),
            ad.country.as_deref(),
            ad.name.as_deref()
        ),
        (Some("Boston"), Some("MA"), Some("US"), Some("n"))
    );
}
