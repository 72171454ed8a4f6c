//! A deliberately raw HTTP/1.1 client: it sends exactly the bytes a test asks for (odd header
//! bytes, no Content-Type, another Host, HEAD...) and reads the whole answer
//! (`Connection: close`).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::request::{TestRequest, TestResponse};

/// Sends `request` to `addr` and parses the answer.
pub async fn send(addr: SocketAddr, request: &TestRequest) -> TestResponse {
    let mut bytes = format!(
        "{} {} HTTP/1.1\r\nConnection: close\r\n",
        request.method, request.path
    )
    .into_bytes();
    // The server's own address unless the test names another host.
    if !request
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        bytes.extend_from_slice(format!("Host: {addr}\r\n").as_bytes());
    }
    for (name, value) in &request.headers {
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(b": ");
        bytes.extend_from_slice(value);
        bytes.extend_from_slice(b"\r\n");
    }
    if !request.body.is_empty() {
        bytes.extend_from_slice(format!("Content-Length: {}\r\n", request.body.len()).as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(&request.body);

    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(&bytes).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(20), exchange)
        .await
        .expect("the server answered within 20 s")
        .expect("HTTP exchange");
    parse(&answer)
}

fn parse(answer: &[u8]) -> TestResponse {
    let split = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(answer)));
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let body = answer[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| {
            (
                name.trim().to_ascii_lowercase(),
                value.trim().as_bytes().to_vec(),
            )
        })
        .collect();
    TestResponse {
        status,
        headers,
        body,
    }
}
