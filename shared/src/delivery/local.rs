//! The mailer in the same process as the endpoints (`authtoken serve`, the test kit): a task
//! that takes each request from a channel, after its endpoint has answered, and carries it out
//! as the mailer function does from the queue. Nothing is retried: a failure is logged.

use std::sync::Weak;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::clock;
use crate::ctx::Ctx;
use crate::mail::mailer::Mailer;
use crate::mail::{MailRequest, Mailbox, Postman, Templates};
use crate::store::Store;

/// A mailbox whose requests go to the worker that [`spawn`] starts on the receiver.
pub fn channel() -> (Mailbox, UnboundedReceiver<MailRequest>) {
    let (sender, receiver) = unbounded_channel();
    (Mailbox::Local(sender), receiver)
}

/// Starts the worker: it carries out each request of `requests` on `ctx` (while it lives),
/// with `templates`, handing the emails to `postman`.
pub fn spawn<S: Store + 'static>(
    ctx: Weak<Ctx<S>>,
    mut requests: UnboundedReceiver<MailRequest>,
    templates: Templates,
    postman: Postman,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(request) = requests.recv().await {
            let Some(ctx) = ctx.upgrade() else {
                return;
            };
            let mailer = Mailer {
                store: &ctx.store,
                settings: &ctx.settings,
                templates: &templates,
                postman: &postman,
            };
            if let Err(error) = mailer.handle(&request, clock::now(), true).await {
                tracing::error!(error = %error, "a mail request failed; it is not retried here");
            }
        }
    })
}
