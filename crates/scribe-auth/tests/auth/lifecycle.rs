//! Login, proactive and reactive renewal, single flight.

use std::time::Duration;

use scribe_sim::{FaultKind, FaultRule, Route};
use scribe_transport::Authenticator;

use crate::support::*;

#[tokio::test]
async fn logs_in_once_and_reads_the_business_id_from_the_token() {
    let server = sim().await;
    let wired = wire(&server, server.client_secret());
    for _ in 0..5 {
        let answer = wired
            .api
            .send(templates(&server))
            .await
            .expect("authorised");
        assert_eq!(answer.status(), 200);
    }
    assert_eq!(
        wired.provider.business_id().await.unwrap(),
        server.business_id()
    );
    assert_eq!(count(&server, Route::Login), 1);
    assert_eq!(count(&server, Route::Refresh), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_with_an_expired_token_cause_one_refresh() {
    let server = sim().await;
    let wired = wire(&server, server.client_secret());
    wired
        .api
        .send(templates(&server))
        .await
        .expect("first login");
    wired.clock.advance(Duration::from_secs(2 * 3600));

    let mut tasks = Vec::new();
    for _ in 0..50 {
        let api = wired.api.clone();
        let request = templates(&server);
        tasks.push(tokio::spawn(async move { api.send(request).await }));
    }
    for task in tasks {
        let answer = task.await.unwrap().expect("every request succeeds");
        assert_eq!(answer.status(), 200);
    }
    assert_eq!(count(&server, Route::Refresh), 1, "exactly one refresh");
    assert_eq!(count(&server, Route::Login), 1, "no second login");
    assert!(
        logged(&server, Route::Templates)
            .iter()
            .all(|r| r.status == Some(200)),
        "no request was refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_refused_as_expired_cause_one_refresh() {
    let server = sim().await;
    let wired = wire(&server, server.client_secret());
    wired
        .api
        .send(templates(&server))
        .await
        .expect("first login");
    // The server now considers the token expired; the client's clock does not.
    server.expire_tokens();

    let mut tasks = Vec::new();
    for _ in 0..50 {
        let api = wired.api.clone();
        let request = templates(&server);
        tasks.push(tokio::spawn(async move { api.send(request).await }));
    }
    for task in tasks {
        task.await
            .unwrap()
            .expect("every request succeeds after one refresh");
    }
    assert_eq!(count(&server, Route::Refresh), 1, "exactly one refresh");
    assert_eq!(count(&server, Route::Login), 1);
    let refused = logged(&server, Route::Templates)
        .iter()
        .filter(|r| r.status == Some(401))
        .count();
    assert!(refused >= 1, "the server did refuse the stale token");
}

#[tokio::test]
async fn a_token_expiring_mid_run_is_renewed_without_failing_a_request() {
    let server = sim().await;
    let wired = wire(&server, server.client_secret());
    for i in 0..30 {
        if i == 10 {
            // Into the 5-minute window before expiry: renewed ahead.
            wired.clock.advance(Duration::from_secs(3600 - 120));
        }
        if i == 20 {
            // Expired on the server behind the client's back: renewed on 401.
            server.expire_tokens();
        }
        wired
            .api
            .send(templates(&server))
            .await
            .unwrap_or_else(|e| panic!("request {i} failed: {e}"));
    }
    assert_eq!(count(&server, Route::Login), 1);
    assert_eq!(count(&server, Route::Refresh), 2);
    let statuses: Vec<_> = logged(&server, Route::Templates)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses.len(),
        31,
        "30 requests, one of them repeated after a 401"
    );
    assert_eq!(statuses.iter().filter(|s| **s == Some(401)).count(), 1);
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_at_half_their_lifetime() {
    let server = sim_with(Duration::from_secs(120), vec![]).await;
    let wired = wire(&server, server.client_secret());
    wired.api.send(templates(&server)).await.unwrap();
    wired.clock.advance(Duration::from_secs(50));
    wired.api.send(templates(&server)).await.unwrap();
    assert_eq!(count(&server, Route::Refresh), 0, "not yet at half life");
    wired.clock.advance(Duration::from_secs(15));
    wired.api.send(templates(&server)).await.unwrap();
    assert_eq!(count(&server, Route::Refresh), 1, "renewed past half life");
}

#[tokio::test]
async fn a_failing_refresh_falls_back_to_a_fresh_login() {
    let server = sim_with(
        Duration::from_secs(3600),
        vec![FaultRule::on(Route::Refresh, FaultKind::InternalError)],
    )
    .await;
    let wired = wire(&server, server.client_secret());
    wired.api.send(templates(&server)).await.unwrap();
    wired.clock.advance(Duration::from_secs(2 * 3600));
    wired
        .api
        .send(templates(&server))
        .await
        .expect("logged in again");
    assert!(count(&server, Route::Refresh) >= 1);
    assert!(
        logged(&server, Route::Refresh)
            .iter()
            .all(|r| r.status == Some(500))
    );
    assert_eq!(count(&server, Route::Login), 2);
}

#[tokio::test]
async fn a_failing_renewal_ahead_of_expiry_keeps_the_current_token_until_it_expires() {
    let server = sim().await;
    let wired = wire(&server, server.client_secret());
    let first = wired.provider.authorize().await.expect("logged in");
    // The auth host goes away.
    server.shutdown().await;
    // In the renewal window, not yet expired: the current token is kept.
    wired.clock.advance(Duration::from_secs(3600 - 60));
    let kept = wired
        .provider
        .authorize()
        .await
        .expect("current token kept");
    assert_eq!(kept.generation(), first.generation());
    // Past expiry there is nothing left to use: the outage is reported.
    wired.clock.advance(Duration::from_secs(120));
    let err = wired
        .provider
        .authorize()
        .await
        .expect_err("expired and unreachable");
    assert_eq!(err.kind(), scribe_transport::ErrorKind::Connection, "{err}");
}

#[tokio::test]
async fn a_needed_login_rides_out_an_outage_once_a_login_has_worked() {
    let server = sim().await;
    let wired = wire(&server, server.client_secret());
    wired
        .api
        .send(templates(&server))
        .await
        .expect("first login");
    // The token has expired, and the auth host answers 502 for a second:
    // the login that is needed now keeps trying, within its patience.
    wired.clock.advance(Duration::from_secs(2 * 3600));
    server.outage(Duration::from_secs(1));
    wired
        .api
        .send(templates(&server))
        .await
        .expect("logged in again after the outage");
    let failed = logged(&server, Route::Login)
        .iter()
        .filter(|r| r.status != Some(200))
        .count();
    assert!(
        failed >= 2,
        "the outage was ridden out ({failed} refused logins)"
    );
}

#[tokio::test]
async fn the_first_login_rides_out_a_spell_of_gateway_errors() {
    // Six failed logins in a row: more than the policy's three attempts,
    // which alone would end the run before it starts.
    let server = sim_with(
        Duration::from_secs(3600),
        vec![FaultRule::on(Route::Login, FaultKind::GatewayHtml).limit(6)],
    )
    .await;
    let wired = wire(&server, server.client_secret());
    wired
        .api
        .send(templates(&server))
        .await
        .expect("logged in after the gateway recovered");
    assert_eq!(count(&server, Route::Login), 7);
}
