//! A stand-in for Pwned Passwords' range API on 127.0.0.1, one per test process, so that the
//! breach check (`PASSWORD_BREACH_CHECK`) is tested without the internet. It lists
//! [`BREACHED_PASSWORD`] among decoys, and records every path it is asked for. Under `/slow/` it
//! answers after [`SLOW_SECONDS`] (beyond the check's timeout); under `/down/` it answers 503.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};

/// A password the stand-in lists as breached; it passes Django's validators for every seeded user.
pub const BREACHED_PASSWORD: &str = "violet harbour lantern 1987";

/// How many times the stand-in says [`BREACHED_PASSWORD`] was seen.
pub const BREACHED_COUNT: u64 = 4242;

/// How long `/slow/` takes to answer, in seconds: longer than the check waits.
pub const SLOW_SECONDS: u64 = 4;

/// The stand-in, started at the first call in this process.
struct Stand {
    port: u16,
    asked: Mutex<Vec<String>>,
}

fn stand() -> &'static Stand {
    static STAND: OnceLock<&'static Stand> = OnceLock::new();
    STAND.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the breach stand-in");
        let stand: &'static Stand = Box::leak(Box::new(Stand {
            port: listener.local_addr().unwrap().port(),
            asked: Mutex::new(Vec::new()),
        }));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || answer(stand, stream));
            }
        });
        stand
    })
}

/// The range API's address (`PASSWORD_BREACH_API`): `kind` is `""` (answers), `"slow/"` or
/// `"down/"`.
pub fn range_api(kind: &str) -> String {
    format!("http://127.0.0.1:{}/{kind}range/", stand().port)
}

/// Every path asked for so far, in this process.
pub fn asked() -> Vec<String> {
    stand().asked.lock().unwrap().clone()
}

/// The SHA-1 of `password`, upper-case hex, as the range API writes it.
pub fn sha1_hex(password: &str) -> String {
    digest(&SHA1_FOR_LEGACY_USE_ONLY, password.as_bytes())
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect()
}

fn answer(stand: &Stand, mut stream: TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // The headers, up to the blank line (bounded: a request has few).
    for _ in 0..100 {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    stand.asked.lock().unwrap().push(path.clone());
    let (status, body) = if path.starts_with("/down/") {
        ("503 Service Unavailable", "down".to_owned())
    } else {
        if path.starts_with("/slow/") {
            std::thread::sleep(Duration::from_secs(SLOW_SECONDS));
        }
        let prefix = path.rsplit('/').next().unwrap_or("");
        ("200 OK", range(prefix))
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).ok();
}

/// The range answer for `prefix`: decoys, padding (count 0), and the breached password's suffix
/// when it falls under `prefix`.
fn range(prefix: &str) -> String {
    let mut lines = vec![
        format!("{}:3", "0".repeat(35)),
        format!("{}:0", "F".repeat(35)),
    ];
    let breached = sha1_hex(BREACHED_PASSWORD);
    if breached.starts_with(prefix) {
        lines.push(format!("{}:{BREACHED_COUNT}", &breached[5..]));
    }
    lines.join("\r\n")
}
