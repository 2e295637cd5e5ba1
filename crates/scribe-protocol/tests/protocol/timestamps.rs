//! Timestamps read both dialects and write back what they read.

use scribe_protocol::Timestamp;
use serde_json::{Value, json};
use time::macros::datetime;

#[test]
fn both_forms_read_to_the_same_instant_and_write_back_unchanged() {
    let cases = [
        json!(1_741_000_000),
        json!("2025-03-03T11:06:40Z"),
        json!("2025-03-03T16:36:40+05:30"),
        json!("2025-03-03T11:06:40.000Z"),
        json!("2025-03-03 11:06:40"),
        json!("2025-03-03T11:06:40"),
        json!(1_741_000_000_000i64),
        json!(1_741_000_000.0),
    ];
    for case in cases {
        let timestamp: Timestamp = serde_json::from_value(case.clone()).unwrap();
        assert_eq!(timestamp.unix_seconds(), Some(1_741_000_000), "{case}");
        assert_eq!(serde_json::to_value(&timestamp).unwrap(), case);
    }
}

#[test]
fn unparseable_strings_are_kept_without_an_instant() {
    let timestamp: Timestamp = serde_json::from_value(json!("next tuesday")).unwrap();
    assert_eq!(timestamp.datetime(), None);
    assert_eq!(timestamp.as_text(), Some("next tuesday"));
    assert_eq!(
        serde_json::to_value(&timestamp).unwrap(),
        json!("next tuesday")
    );
    assert!(serde_json::from_value::<Timestamp>(Value::Bool(true)).is_err());
}

#[test]
fn built_timestamps_use_each_dialect() {
    let at = datetime!(2025-03-03 11:06:40 UTC);
    assert_eq!(
        serde_json::to_value(Timestamp::from_datetime(at)).unwrap(),
        json!("2025-03-03T11:06:40Z")
    );
    let epoch = Timestamp::from_unix_seconds(1_741_000_000);
    assert!(epoch.is_epoch());
    assert_eq!(epoch.datetime(), Some(at));
    assert_eq!(epoch.to_string(), "1741000000");
}
