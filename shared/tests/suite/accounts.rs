//! djoser's endpoints (token login and logout, set_password), every case, on the handlers over
//! the memory store and over DynamoDB (moto, fresh tables per test). The same cases run through
//! `authtoken serve` over real HTTP in the CLI's tests.

testkit::accounts_suite!(memory, testkit::app::TestApp::memory);
testkit::accounts_suite!(dynamo, testkit::app::TestApp::dynamo);
