//! The HTTP contract (docs/API.md), every case, on the handlers over the memory store and over
//! DynamoDB (moto, fresh tables per test). The same cases run through `authtoken serve` over
//! real HTTP in the CLI's tests.

testkit::contract_suite!(memory, testkit::app::TestApp::memory);
testkit::contract_suite!(dynamo, testkit::app::TestApp::dynamo);
