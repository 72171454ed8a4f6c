//! Abuse of a local server the way a careless or hostile client would: connections that send a
//! byte every few seconds, bodies that never finish, logins whose clients hang up at once. Used
//! by `cli/tests/suite/serve_hardening.rs`, which asserts the outcome and prints the figures (how long
//! the connections lived, the server's memory).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long the slow clients go on trickling before giving up on the server closing them.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(40);

/// Opens `count` connections that send a request's headers one byte every `interval`, and
/// returns, for each, how long the server kept it open (`None`: still open after
/// [`GIVE_UP_AFTER`]).
pub async fn trickling_connections(
    addr: SocketAddr,
    count: usize,
    interval: Duration,
) -> Vec<Option<Duration>> {
    let tasks: Vec<_> = (0..count)
        .map(|_| tokio::spawn(trickle(addr, interval)))
        .collect();
    let mut lifetimes = Vec::with_capacity(count);
    for task in tasks {
        lifetimes.push(task.await.unwrap_or(None));
    }
    lifetimes
}

async fn trickle(addr: SocketAddr, interval: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let request = b"GET /api/whoami/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let mut sent = 0;
    while started.elapsed() < GIVE_UP_AFTER {
        let byte = request.get(sent).copied().unwrap_or(b'a');
        if stream.write_all(&[byte]).await.is_err() {
            return Some(started.elapsed());
        }
        sent += 1;
        // Closed by the server: a read ends (EOF or reset) before the next byte is due.
        let mut buffer = [0u8; 1024];
        match tokio::time::timeout(interval, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {
                // An answer (a 408 or 400) before closing: wait for the close itself.
                let _ = tokio::time::timeout(interval, stream.read_to_end(&mut Vec::new())).await;
                return Some(started.elapsed());
            }
            Err(_) => {}
        }
    }
    None
}

/// Sends a login whose body declares `declared` bytes but delivers only a few, then waits:
/// returns the status line the server answered with, if any, within [`GIVE_UP_AFTER`].
pub async fn unfinished_body(addr: SocketAddr, declared: usize) -> Option<String> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let head = format!(
        "POST /api-token-auth/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {declared}\r\n\r\n{{\"username\""
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(GIVE_UP_AFTER, stream.read_to_end(&mut answer)).await;
    if !matches!(read, Ok(Ok(_))) {
        return None;
    }
    let text = String::from_utf8_lossy(&answer);
    text.lines().next().map(str::to_owned)
}

/// Sends `count` logins (for `username`, a wrong password) at once and hangs up each as soon as
/// it is sent, the way clients that time out do.
pub async fn hung_up_logins(addr: SocketAddr, count: usize, username: &str) {
    let body = format!(r#"{{"username": "{username}", "password": "not it"}}"#);
    let request = format!(
        "POST /api-token-auth/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                if let Ok(mut stream) = TcpStream::connect(addr).await {
                    let _ = stream.write_all(request.as_bytes()).await;
                    // Dropping the stream hangs up.
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
}
