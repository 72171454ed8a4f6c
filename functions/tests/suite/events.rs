//! Every function of the manifest answers each of its `events/<binary>-*.json` as expected, its
//! binary built and run unchanged under the Runtime API stand-in, against DynamoDB (moto).

use authtoken::manifest::FUNCTIONS;

#[tokio::test]
async fn every_function_answers_each_of_its_events_as_expected() {
    let runs: Vec<_> = FUNCTIONS
        .iter()
        .map(|function| {
            let path = crate::binary(function.binary);
            tokio::spawn(async move {
                let ran = testkit::events::run_through_function(function.binary, &path).await;
                (function.binary, ran)
            })
        })
        .collect();
    for run in runs {
        let (binary, ran) = run.await.unwrap();
        assert!(ran > 0, "{binary}: no events");
    }
}
