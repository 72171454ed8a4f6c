//! `authtoken serve` against careless and hostile clients: slow and idle connections are closed,
//! an unfinished body gets 408, logins whose clients hung up leave the server serving, browsers
//! get CORS only from allowed origins (and can read `Retry-After`), and a `Host` that is not a
//! loopback name is refused while it listens on loopback (DNS rebinding).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::process::Command;
use std::time::Duration;

use serde_json::json;
use testkit::app::{TestApp, TestRequest};
use testkit::process::memory_kib;
use testkit::serve::ServeProcess;
use testkit::serve_stress::{
    GIVE_UP_AFTER, hung_up_logins, trickling_connections, unfinished_body,
};

fn serve(extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authtoken"));
    command.args(["serve", "--addr", "127.0.0.1:0", "--user", "admin:password"]);
    command.args(extra);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_idle_and_unfinished_clients_are_cut_off() {
    let server = ServeProcess::spawn(serve(&[])).await;
    let addr = server.addr();
    let (slow, idle, unfinished) = tokio::join!(
        trickling_connections(addr, 20, Duration::from_secs(3)),
        async {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let started = std::time::Instant::now();
            let mut buffer = [0u8; 16];
            let read = tokio::time::timeout(GIVE_UP_AFTER, async {
                stream.readable().await.unwrap();
                stream.try_read(&mut buffer)
            })
            .await;
            read.ok().map(|_| started.elapsed())
        },
        unfinished_body(addr, 100),
    );
    for (index, lifetime) in slow.iter().enumerate() {
        assert!(
            lifetime.is_some(),
            "slow connection {index} still open after {GIVE_UP_AFTER:?}"
        );
    }
    assert!(
        idle.is_some(),
        "an idle connection still open after {GIVE_UP_AFTER:?}"
    );
    assert_eq!(unfinished.as_deref(), Some("HTTP/1.1 408 Request Timeout"));
    let longest = slow.iter().flatten().max().unwrap();
    eprintln!("20 trickling connections closed after at most {longest:?}; idle after {idle:?}");
    // It still serves.
    let app = TestApp::Http(server);
    app.login(("admin", "password")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logins_whose_clients_hung_up_leave_it_serving() {
    let server = ServeProcess::spawn(serve(&[])).await;
    let (_, before) = memory_kib(server.id());
    // Another name than the one logging in after: each attempt is counted before its password
    // is checked, so 60 of them lock their name (an unknown one costs the same dummy hash).
    hung_up_logins(server.addr(), 60, "mallory").await;
    let app = TestApp::Http(server);
    // Served after the abandoned ones: the hashing queue drains.
    let token = tokio::time::timeout(Duration::from_secs(60), app.login(("admin", "password")))
        .await
        .expect("a login within 60 s of 60 abandoned ones");
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
    let TestApp::Http(server) = &app else {
        unreachable!()
    };
    let (peak, now) = memory_kib(server.id());
    eprintln!("60 hung-up logins: RSS {before} KiB before, peak {peak} KiB, {now} KiB after");
}

#[tokio::test]
async fn browsers_get_cors_only_from_allowed_origins() {
    let server = ServeProcess::spawn(serve(&[
        "--cors-origin",
        "https://app.example.com",
        "--cors-allow-header",
        "X-Requested-With",
    ]))
    .await;
    let app = TestApp::Http(server);
    for origin in [
        "http://localhost:3000",
        "http://127.0.0.1:5173",
        "https://app.example.com",
    ] {
        let answer = app
            .send(TestRequest::get("/api/whoami/").header("Origin", origin))
            .await;
        assert_eq!(answer.status, 401);
        assert_eq!(
            answer.header("access-control-allow-origin").as_deref(),
            Some(origin)
        );
        assert_eq!(
            answer.header("access-control-expose-headers").as_deref(),
            Some("WWW-Authenticate, Retry-After")
        );
        assert_eq!(answer.header("vary").as_deref(), Some("Accept, Origin"));
    }
    let preflight = app
        .send(
            TestRequest::new("OPTIONS", "/api-token-auth/")
                .header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST")
                .header(
                    "Access-Control-Request-Headers",
                    "content-type, x-requested-with",
                ),
        )
        .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(
        preflight.header("access-control-allow-headers").as_deref(),
        Some("Authorization, Content-Type, X-Requested-With")
    );
    assert_eq!(
        preflight.header("access-control-allow-methods").as_deref(),
        Some("POST, OPTIONS")
    );
    for origin in ["https://evil.example", "http://localhost.evil.example:3000"] {
        let answer = app
            .send(TestRequest::get("/api/whoami/").header("Origin", origin))
            .await;
        assert_eq!(
            answer.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn a_host_that_is_not_loopback_is_refused_on_loopback() {
    let app = TestApp::Http(ServeProcess::spawn(serve(&[])).await);
    for host in ["evil.example", "evil.example:8000", "192.168.1.10:8000"] {
        app.send(TestRequest::get("/api/whoami/").header("Host", host))
            .await
            .assert(
                400,
                json!({ "detail": "Invalid Host header: this server answers only localhost, 127.0.0.1 and [::1]." }),
            );
    }
    for host in ["localhost:8000", "127.0.0.1", "[::1]:8000"] {
        let answer = app
            .send(TestRequest::get("/api/whoami/").header("Host", host))
            .await;
        assert_eq!(answer.status, 401, "{host}");
    }
}

#[test]
fn a_malformed_cors_origin_is_a_usage_error() {
    let output = serve(&["--cors-origin", "localhost:3000"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not an origin"), "{stderr}");
}

/// At most `--max-connections` connections are served at once: with both places held by idle
/// clients, a third client waits in the listen queue, and is served as soon as one closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_maximum_wait_for_a_free_place() {
    let process = ServeProcess::spawn(serve(&["--max-connections", "2"])).await;
    let addr = process.addr();
    let mut idle: Vec<std::net::TcpStream> = (0..2)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let third = tokio::spawn(async move {
        testkit::http_client::send(addr, &TestRequest::get("/api/whoami/")).await
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!third.is_finished(), "served beyond the maximum");
    drop(idle.remove(0));
    let answer = testkit::app::within(9, third).await.unwrap();
    assert_eq!(answer.status, 401, "{}", answer.text());
    drop(idle);
    drop(process);
}
