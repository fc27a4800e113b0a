//! The dry run: the policy and the headers that would go out, without resolving or connecting.
//! Pure: runs without the `client` feature.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use callback_delivery::{
    DeliveryOptions, DeliveryRequest, RetryPolicy, SigningSecret, UrlPolicy, dry_run,
};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The options of the client tests: 127.0.0.1 allowed, signing on.
fn options() -> DeliveryOptions {
    DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse().unwrap()))
        .with_connect_timeout(Duration::from_secs(1))
        .with_timeout(Duration::from_secs(2))
        .with_deadline(Duration::from_secs(10))
        .with_retry(
            RetryPolicy::default()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(20))
                .with_max_backoff(Duration::from_millis(80))
                .with_max_retry_after(Duration::from_secs(2)),
        )
        .with_max_response_body(1024)
        .with_secret(SECRET.parse::<SigningSecret>().unwrap())
}

fn payload(url: &str) -> DeliveryRequest {
    DeliveryRequest::json(url, &serde_json::json!({"jobId": "j-1", "progress": 40}))
}

#[test]
fn a_dry_run_checks_without_connecting() {
    let opts = options();
    let run = dry_run(&opts, &payload("http://127.0.0.1:9/cb").with_id("msg_dry"));
    let json = serde_json::to_value(&run).unwrap();
    assert_eq!(json["outcome"], "would-send");
    assert_eq!(json["webhook_id"], "msg_dry");
    assert_eq!(json["target"]["addresses"][0], "127.0.0.1");
    let headers: Vec<(String, String)> = serde_json::from_value(json["headers"].clone()).unwrap();
    let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    for name in [
        "content-type",
        "user-agent",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }

    let run = dry_run(&opts, &payload("https://[::ffff:10.0.0.1]/cb"));
    let json = serde_json::to_value(&run).unwrap();
    assert_eq!(json["outcome"], "denied");
    assert_eq!(json["rule"], "private");

    let run = dry_run(&opts, &payload("https://hooks.example/cb"));
    let json = serde_json::to_value(&run).unwrap();
    assert_eq!(json["outcome"], "would-send");
    assert_eq!(json["target"]["addresses_checked"], false);
}
