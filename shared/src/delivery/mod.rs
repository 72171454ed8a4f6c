//! Where the mailer ([`crate::mail::mailer`]) runs: in the endpoints' own process, on a channel
//! that takes the queue's place ([`local`]: `authtoken serve`, the test kit), or as the mailer
//! Lambda function, on the SQS queue's events ([`lambda`]).

pub mod lambda;
pub mod local;
