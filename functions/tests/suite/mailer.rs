//! The `mailer` binary as SQS runs it: a batch of the mail queue's records in, each carried out,
//! and the ids of those to deliver again out (`batchItemFailures`). Against moto's DynamoDB and
//! SES: a reset for a user's address stamps their link and is sent once the sender is a
//! verified identity; with SES out of reach the record is handed back for a later delivery; a
//! record that is no mail request is dropped, not retried.

use std::time::Duration;

use authtoken::store::Store;
use serde_json::{Value, json};
use testkit::events::{EVENT_USER, function_env, store_with_event_user};
use testkit::runtime_api::{FunctionProcess, Outcome, RuntimeApi};

/// An SQS event of records `(message id, body)`, each delivered for the first time.
fn sqs_event(records: &[(&str, &str)]) -> Vec<u8> {
    let records: Vec<Value> = records
        .iter()
        .map(|(id, body)| {
            json!({
                "messageId": id,
                "receiptHandle": "handle",
                "body": body,
                "attributes": { "ApproximateReceiveCount": "1" },
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:authtoken-mail",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

fn reset_of(address: &str) -> String {
    json!({ "kind": "password_reset", "email": address, "source": null }).to_string()
}

/// Runs the mailer with `env`, sends it `event`, and returns its answer and its log once it
/// holds a line with `awaited` (at most 10 s).
async fn run(env: &[(&'static str, String)], event: &[u8], awaited: &str) -> (Value, Vec<String>) {
    let api = RuntimeApi::start().await;
    let process = FunctionProcess::spawn(&crate::binary("mailer"), &api, env);
    let outcome = api.invoke(event, Duration::from_secs(60)).await.unwrap();
    let Outcome::Response(output) = outcome else {
        panic!("the mailer failed: {outcome:?}; log: {:#?}", process.log());
    };
    let log = process.log_when(Duration::from_secs(10), |log| {
        log.iter().any(|line| line.contains(awaited))
    });
    (serde_json::from_slice(&output).unwrap(), log)
}

#[tokio::test]
async fn the_mailer_sends_retries_and_drops_as_sqs_expects() {
    let store = store_with_event_user().await;
    let address = testkit::mail::address("mailer");
    assert!(store.set_email(EVENT_USER.0, &address).await.unwrap());
    // A sender of its own, verified in moto's SES.
    let sender = format!("noreply-{}@example.com", std::process::id());
    testkit::dynamo::ses_client(&testkit::dynamo::endpoint())
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .unwrap();
    let mut env = function_env(&store, testkit::dynamo::endpoint());
    env.retain(|(var, _)| *var != "EMAIL_FROM");
    env.push(("EMAIL_FROM", sender));

    let event = sqs_event(&[("sent", &reset_of(&address)), ("junk", "not a request")]);
    let (answer, log) = run(&env, &event, "mail_sent").await;
    assert_eq!(answer, json!({ "batchItemFailures": [] }));
    let logged = |text: &str| log.iter().any(|line| line.contains(text));
    assert!(logged("\"event\":\"mail_sent\""), "{log:#?}");
    assert!(!logged("mail_failed"), "{log:#?}");
    assert!(logged("a mail request that is not one"), "{log:#?}");
    let user = store.user(EVENT_USER.0).await.unwrap().unwrap();
    assert!(user.link_nonce.is_some(), "the link was made and stamped");

    // SES out of reach: the record comes back, to be delivered again.
    let mut unreachable = env.clone();
    unreachable.retain(|(var, _)| *var != "AWS_ENDPOINT_URL_SESV2");
    unreachable.push(("AWS_ENDPOINT_URL_SESV2", "http://127.0.0.1:1".to_owned()));
    let event = sqs_event(&[("again", &reset_of(&address))]);
    let (answer, _) = run(&unreachable, &event, "to be tried again").await;
    assert_eq!(
        answer,
        json!({ "batchItemFailures": [{ "itemIdentifier": "again" }] })
    );
}
