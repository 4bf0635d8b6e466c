//! `POST /mine/notes` in one process: only for a logged-in user, the notes
//! kept in the session (the last 20), and a bad body answered with a fixed
//! text and no session change. `tests/processes.rs` uses it across two
//! processes.

mod common;

use common::{Demo, browser, text};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_need_a_login_and_keep_the_last_twenty() {
    let demo = Demo::start("memory").await;
    let client = browser();

    let anonymous = client
        .post(demo.url("/mine/notes"))
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::FOUND);
    assert_eq!(anonymous.headers()[LOCATION], "/login?next=/mine/notes");

    let login = client
        .post(demo.url("/login"))
        .form(&[("username", "dora")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FOUND);
    let note = |body: Vec<u8>| client.post(demo.url("/mine/notes")).body(body).send();

    for i in 1..=21 {
        let answer = note(format!("note {i}").into_bytes()).await.unwrap();
        let count = i.min(20);
        assert_eq!(
            text(answer).await,
            (StatusCode::OK, format!("dora has {count} notes"))
        );
    }
    let notes = client
        .get(demo.url("/session/json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let expected: Vec<String> = (2..=21).map(|i| format!("note {i}")).collect();
    let json: serde_json::Value = serde_json::from_str(&notes).unwrap();
    assert_eq!(
        json["notes"],
        serde_json::json!(expected),
        "the oldest dropped"
    );

    for (body, status, message) in [
        (
            vec![b'x'; 1025],
            StatusCode::PAYLOAD_TOO_LARGE,
            "The note is too long",
        ),
        (
            vec![0xff, 0xfe],
            StatusCode::BAD_REQUEST,
            "The note must be UTF-8 text",
        ),
        (b"  ".to_vec(), StatusCode::BAD_REQUEST, "The note is empty"),
    ] {
        let answer = note(body).await.unwrap();
        assert_eq!(text(answer).await, (status, message.to_owned()));
    }
    let after = client
        .get(demo.url("/session/json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(after, notes, "a refused note changes nothing");
}
