//! The HTTP contract (docs/API.md), every case, on the handlers over the memory store and over
//! DynamoDB (moto, fresh tables per test), under the per-user policy (DRF's), and again under
//! the per-login policy (knox's) but for login's answer. The same cases run through
//! `authtoken serve` over real HTTP in the CLI's tests.

testkit::contract_suite!(memory, testkit::app::TestApp::memory);
testkit::contract_suite!(dynamo, testkit::app::TestApp::dynamo);
testkit::contract_suite!(per_login memory_per_login, testkit::app::TestApp::memory);
testkit::contract_suite!(per_login dynamo_per_login, testkit::app::TestApp::dynamo);
