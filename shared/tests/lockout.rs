//! Login lockout (testkit's lockout cases) on the handlers over the memory store and over
//! DynamoDB (moto, fresh tables per test). The same cases run through `authtoken serve` over
//! HTTP in the CLI's tests.

testkit::lockout_suite!(memory, testkit::app::TestApp::memory);
testkit::lockout_suite!(dynamo, testkit::app::TestApp::dynamo);
