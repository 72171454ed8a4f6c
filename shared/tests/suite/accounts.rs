//! djoser's endpoints (token login and logout, set_password), every case, on the handlers over
//! the memory store and over DynamoDB (moto, fresh tables per test). The same cases run through
//! `authtoken serve` over real HTTP in the CLI's tests.

testkit::accounts_suite!(memory, testkit::app::TestApp::memory);
testkit::accounts_suite!(dynamo, testkit::app::TestApp::dynamo);

/// A user created before ids existed gets the next id at their first `GET /auth/users/me/`,
/// and keeps it; concurrent first reads agree on one.
mod ids {
    use std::sync::Arc;

    use serde_json::json;
    use testkit::app::{BOB, TestApp, TestRequest, drf_settings, seeded_user};

    async fn a_user_from_before_ids_gets_one_at_first_sight(app: TestApp) {
        let dora = authtoken::store::User {
            username: "dora".to_owned(),
            id: None,
            ..seeded_user(BOB.0)
        };
        app.insert_user(&dora).await;
        let key = app.login(("dora", BOB.1)).await;
        let app = Arc::new(app);
        let reads: Vec<_> = (0..4)
            .map(|_| {
                let (app, key) = (Arc::clone(&app), key.clone());
                tokio::spawn(async move {
                    let request = TestRequest::get("/auth/users/me/").token(&key);
                    app.send(request).await.json()["id"].clone()
                })
            })
            .collect();
        let mut ids = Vec::new();
        for read in reads {
            ids.push(read.await.unwrap());
        }
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        let id = ids[0].as_u64().unwrap();
        assert!(id > 3, "after the seeded users' ids: {id}");
        app.send(TestRequest::get("/auth/users/me/").token(&key))
            .await
            .assert(200, json!({ "email": "", "id": id, "username": "dora" }));
        assert_eq!(app.stored_user("dora").await.unwrap().id, Some(id));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory() {
        a_user_from_before_ids_gets_one_at_first_sight(TestApp::memory(drf_settings()).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn dynamo() {
        a_user_from_before_ids_gets_one_at_first_sight(TestApp::dynamo(drf_settings()).await).await;
    }
}

/// A rename moves every token whose record exists (a per-user key by its digest, per-login ones
/// as they are) and leaves the ones DynamoDB's TTL already swept; the tables stay consistent.
mod rename {
    use serde_json::json;
    use testkit::app::{ADMIN, TestApp, TestRequest, drf_settings};
    use testkit::policy::per_login;

    async fn every_live_token_moves_with_the_user(app: TestApp, keys: usize) {
        let mut held = Vec::new();
        for _ in 0..keys {
            held.push(app.login(ADMIN).await);
        }
        held.dedup();
        if held.len() > 1 {
            app.sweep(&held[0]).await;
        }
        let response = app
            .send(
                TestRequest::post("/auth/users/set_username/")
                    .token(held.last().unwrap())
                    .json(&json!({ "current_password": ADMIN.1, "new_username": "root" })),
            )
            .await;
        assert_eq!(response.status, 204, "{}", response.text());
        app.whoami(held.last().unwrap())
            .await
            .assert(200, json!({ "username": "root" }));
        let root = app.stored_user("root").await.unwrap();
        assert!(
            root.per_user_token.is_none(),
            "a sealed key is bound to its name"
        );
        let live = if held.len() > 1 { held.len() - 1 } else { 1 };
        assert_eq!(root.per_login_tokens.len(), live);
        assert!(app.stored_user(ADMIN.0).await.is_none());
        app.assert_consistent("root").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn per_user_memory() {
        every_live_token_moves_with_the_user(TestApp::memory(drf_settings()).await, 1).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn per_user_dynamo() {
        every_live_token_moves_with_the_user(TestApp::dynamo(drf_settings()).await, 1).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn per_login_memory() {
        every_live_token_moves_with_the_user(TestApp::memory(per_login()).await, 3).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn per_login_dynamo() {
        every_live_token_moves_with_the_user(TestApp::dynamo(per_login()).await, 3).await;
    }
}
