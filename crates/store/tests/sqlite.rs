//! The SQLite store against a real database file.

use ctip_core::{Ad, AdResult, Identifier, IdentifierKind, Span};
use ctip_store::{PreparedAd, ScanCounts, Store};

fn scanned(id: &str, body: &str, phone: &str, score: f32) -> PreparedAd {
    let ad = Ad {
        id: id.into(),
        body: body.into(),
        city: Some("Boston".into()),
        ..Ad::default()
    };
    let result = AdResult {
        id: id.into(),
        identifiers: vec![Identifier::new(
            IdentifierKind::Phone,
            phone,
            Span::new(0, 10),
        )],
        indicators: vec!["sex.youth.fresh".into()],
        score,
        reasons: vec![],
    };
    PreparedAd::new(ad, &result)
}

#[tokio::test]
async fn rescanning_an_id_replaces_the_ad_and_its_identifiers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ctip.sqlite");
    let store = Store::open_sqlite(&path).await.expect("opened");
    let scan = store
        .begin_scan("2026-11-25T00:00:00Z", "test")
        .await
        .expect("scan");
    let batch = vec![
        scanned("a", "first text", "+12135550147", 0.9),
        scanned("b", "other", "+13125550188", 0.2),
    ];
    store.write_batch(scan, &batch).await.expect("written");
    store
        .write_batch(scan, &batch)
        .await
        .expect("written twice");
    assert_eq!(store.count_ads().await.expect("count"), 2);

    let again = vec![scanned("a", "edited text", "+14155550123", 0.5)];
    store.write_batch(scan, &again).await.expect("rewritten");
    store
        .finish_scan(
            scan,
            "2026-11-25T00:01:00Z",
            ScanCounts {
                ads_read: 3,
                ads_scanned: 3,
                malformed: 0,
            },
        )
        .await
        .expect("finished");
    assert_eq!(store.count_ads().await.expect("count"), 2);
    assert!(
        store
            .ads_with_identifier(IdentifierKind::Phone, "+12135550147")
            .await
            .expect("q")
            .is_empty()
    );
    assert_eq!(
        store
            .ads_with_identifier(IdentifierKind::Phone, "+14155550123")
            .await
            .expect("q"),
        vec!["a".to_string()]
    );
    store.close().await;

    let reopened = Store::open_sqlite(&path).await.expect("reopened");
    let a = reopened.ad("a").await.expect("read").expect("present");
    assert_eq!(a.ad.body, "edited text");
    assert_eq!(a.result.identifiers[0].value, "+14155550123");
    assert!((a.result.score - 0.5).abs() < 1e-6);
    let top = reopened.top_ads(1).await.expect("top");
    assert_eq!(top[0].ad.id, "a");
}

#[tokio::test]
async fn a_store_from_a_newer_ctip_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ctip.sqlite");
    let store = Store::open_sqlite(&path).await.expect("opened");
    store.set_meta("k", "v").await.expect("meta");
    assert_eq!(store.meta("k").await.expect("meta").as_deref(), Some("v"));
    sqlx_set_version(&path).await;
    let err = Store::open_sqlite(&path).await.err().expect("refused");
    assert!(
        err.to_string().contains("newer than this ctip understands"),
        "{err}"
    );
}

async fn sqlx_set_version(path: &std::path::Path) {
    // A future ctip would have bumped the schema version.
    let url = format!("sqlite://{}", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("raw open");
    sqlx::raw_sql("PRAGMA user_version = 999")
        .execute(&pool)
        .await
        .expect("bump");
    pool.close().await;
}

#[tokio::test]
async fn identifiers_of_an_unfinished_scan_are_merged_when_the_store_reopens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ctip.sqlite");
    let store = Store::open_sqlite(&path).await.expect("opened");
    let scan = store
        .begin_scan("2026-11-25T00:00:00Z", "test")
        .await
        .expect("scan");
    store
        .write_batch(scan, &[scanned("a", "text", "+12135550147", 0.9)])
        .await
        .expect("written");
    // The scan stops here, as after a crash: no finish_scan.
    store.close().await;
    let reopened = Store::open_sqlite(&path).await.expect("reopened");
    assert_eq!(
        reopened
            .ads_with_identifier(IdentifierKind::Phone, "+12135550147")
            .await
            .expect("q"),
        vec!["a".to_string()]
    );
}
