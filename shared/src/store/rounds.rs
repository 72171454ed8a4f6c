//! The one shape of every write that depends on what was read: read, decide, write on
//! condition that nothing changed; if something did (another writer won the race), read again
//! and decide again, a bounded number of times.

/// How one round of such an operation ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Round<T, S = ()> {
    /// The operation is over, with this outcome (written, or nothing to write).
    Done(T),
    /// The conditional write lost a race: read again and decide again, starting from this.
    Lost(S),
}

/// Rounds an operation gets before it gives up: enough for any realistic burst of concurrent
/// writers to one user, few enough to answer quickly when something keeps changing it.
pub const MAX_ROUNDS: usize = 5;

/// Runs `round` from `first` until it is done, at most [`MAX_ROUNDS`] times, each lost round
/// handing its state to the next. `Ok(None)` if every round lost its race (the caller reports
/// contention); an error ends the rounds at once.
pub async fn settle<S, T, E, Next>(
    first: S,
    mut round: impl FnMut(S) -> Next,
) -> Result<Option<T>, E>
where
    Next: Future<Output = Result<Round<T, S>, E>>,
{
    let mut state = first;
    for _ in 0..MAX_ROUNDS {
        match round(state).await? {
            Round::Done(outcome) => return Ok(Some(outcome)),
            Round::Lost(next) => state = next,
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_round_that_is_done_ends_the_rounds_and_each_hands_on_its_state() {
        let outcome: Result<_, ()> = settle(1, |round| async move {
            Ok(if round == 3 {
                Round::Done(round)
            } else {
                Round::Lost(round + 1)
            })
        })
        .await;
        assert_eq!(outcome, Ok(Some(3)));
    }

    #[tokio::test]
    async fn rounds_that_keep_losing_give_up_after_the_limit() {
        let mut rounds = 0;
        let outcome: Result<Option<()>, ()> = settle((), |()| {
            rounds += 1;
            async { Ok(Round::Lost(())) }
        })
        .await;
        assert_eq!(outcome, Ok(None));
        assert_eq!(rounds, MAX_ROUNDS);
    }

    #[tokio::test]
    async fn an_error_ends_the_rounds_at_once() {
        let mut rounds = 0;
        let outcome: Result<Option<()>, &str> = settle((), |()| {
            rounds += 1;
            async { Err("the store failed") }
        })
        .await;
        assert_eq!(outcome, Err("the store failed"));
        assert_eq!(rounds, 1);
    }
}
