//! What keeping per-user keys sealed costs a login, and what the alternative would have:
//!
//! 1. sealing and opening a key (AES-256-GCM, in process): per login;
//! 2. reading the seal secret's current version from Secrets Manager: once per sandbox, at the
//!    first login that needs a key;
//! 3. one Secrets Manager call alone: the round trip a KMS `Decrypt` per login would add to
//!    every login instead (both are AWS JSON APIs reached with the same SDK stack).
//!
//! 2 and 3 run against the local server (moto), whose answers take a fraction of AWS's; their
//! ratio to a DynamoDB `GetItem` against the same server (4) is what carries over.
//!
//! Run: `cargo bench -p authtoken --bench seal` with `AWS_ENDPOINT_URL_DYNAMODB` pointing at the
//! local server (`bash scripts/bench.sh` starts one).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failed expectation is its failure, reported where it happened"
)]

use std::time::{Duration, Instant};

use authtoken::secrets::seal::{KeptKey, SealKey, Sealer};
use authtoken::secrets::token::{TokenFormat, TokenKey};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(50);
    let key = TokenKey::generate(TokenFormat::Hex);
    let seal_key =
        SealKey::derive("a benchmark secret of more than thirty-two characters").unwrap();
    let batch = 1000;
    let seal = median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                for _ in 0..batch {
                    std::hint::black_box(seal_key.seal("admin", &key));
                }
                started.elapsed() / batch
            })
            .collect(),
    );
    let sealed = seal_key.seal("admin", &key).unwrap();
    let open = median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                for _ in 0..batch {
                    std::hint::black_box(seal_key.open("admin", &sealed));
                }
                started.elapsed() / batch
            })
            .collect(),
    );
    println!(
        "1. seal {:.2} µs, open {:.2} µs (in process, per login)",
        micros(seal),
        micros(open)
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    testkit::dynamo::ensure_seal_secret();
    let sealed_for_the_secret = runtime
        .block_on(testkit::dynamo::sealer().seal("admin", &key))
        .unwrap();
    let kept = KeptKey::sealed(&key, sealed_for_the_secret);
    let first_open = median(
        (0..rounds)
            .map(|_| {
                let sealer = Sealer::from_secret(
                    testkit::dynamo::secrets_client(),
                    testkit::dynamo::SEAL_SECRET_ID.to_owned(),
                );
                let started = Instant::now();
                let opened = runtime.block_on(sealer.open("admin", &kept)).unwrap();
                let elapsed = started.elapsed();
                assert!(matches!(
                    opened,
                    authtoken::secrets::seal::Opened::Current(_)
                ));
                elapsed
            })
            .collect(),
    );
    let client = testkit::dynamo::secrets_client();
    let one_call = median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                runtime
                    .block_on(
                        client
                            .get_secret_value()
                            .secret_id(testkit::dynamo::SEAL_SECRET_ID)
                            .send(),
                    )
                    .unwrap();
                started.elapsed()
            })
            .collect(),
    );
    let store = runtime.block_on(testkit::dynamo::fresh_store());
    let dynamo = testkit::dynamo::client();
    let get_item = median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                runtime
                    .block_on(
                        dynamo
                            .get_item()
                            .table_name(&store.tables().users)
                            .key(
                                "username",
                                aws_sdk_dynamodb::types::AttributeValue::S("admin".into()),
                            )
                            .consistent_read(true)
                            .send(),
                    )
                    .unwrap();
                started.elapsed()
            })
            .collect(),
    );
    let ratio = |duration: Duration| duration.as_secs_f64() / get_item.as_secs_f64();
    println!(
        "2. first open in a process (the secret's current version read): {:.2} ms \
         ({:.2}x a GetItem; once per sandbox)",
        millis(first_open),
        ratio(first_open)
    );
    println!(
        "3. one GetSecretValue: {:.2} ms ({:.2}x a GetItem; what a KMS call per login would add \
         to each login)",
        millis(one_call),
        ratio(one_call)
    );
    println!("4. one DynamoDB GetItem: {:.2} ms", millis(get_item));
}
