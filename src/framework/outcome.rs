//! The beats every resource's CRUD repeats, written once: what a read found, whether a create
//! whose answer was lost happened, what a delete's answer means.

use std::future::Future;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::grafana::Error;
use crate::value::Value;

/// What reading an object found.
#[derive(Debug, PartialEq)]
pub enum ReadOutcome<T = Value> {
    /// The object, as the state will hold it.
    Found(T),
    /// Grafana answered 404: the object was deleted outside Terraform, and the framework
    /// removes it from the state with a warning.
    Gone,
    /// The read failed; a diagnostic says why, and the state is kept as it was.
    Failed,
}

impl<T> ReadOutcome<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ReadOutcome<U> {
        match self {
            ReadOutcome::Found(t) => ReadOutcome::Found(f(t)),
            ReadOutcome::Gone => ReadOutcome::Gone,
            ReadOutcome::Failed => ReadOutcome::Failed,
        }
    }
}

/// A Grafana read's answer as an outcome: a 404 is [`ReadOutcome::Gone`], any other error a
/// diagnostic "Could not read <kind> <uid>" and [`ReadOutcome::Failed`].
pub fn read_outcome<T>(answer: Result<T, Error>, kind: &str, uid: &str, diags: &mut Diagnostics) -> ReadOutcome<T> {
    match answer {
        Ok(t) => ReadOutcome::Found(t),
        Err(e) if e.is_not_found() => ReadOutcome::Gone,
        Err(e) => {
            diags.push(api_error(format!("Could not read {kind} {uid:?}"), &e));
            ReadOutcome::Failed
        }
    }
}

/// Whether a create that failed with `err` happened after all.
#[derive(Debug, PartialEq)]
pub enum Created<T> {
    /// The answer was lost and the object read back is the one this create sent.
    Yes(T),
    /// An object of another content holds the uid: someone else's, never to be taken over.
    Taken(T),
    /// It did not happen (the error says Grafana did not act, or the uid is not there).
    No,
    /// It may have happened and cannot be confirmed: keep [`unconfirmed_create`]'s state.
    Unknown,
}

/// After a create failed with `err`: when Grafana may have acted on it (the answer was lost),
/// reads the uid the create sent (`read`) and says whether the object is this create's (`ours`).
/// The uid was sent with the create, so the read tells; the create is never repeated.
pub async fn confirm_create<T, F>(err: &Error, read: impl FnOnce() -> F, ours: impl FnOnce(&T) -> bool) -> Created<T>
where
    F: Future<Output = Result<T, Error>>,
{
    if !err.may_have_acted() {
        return Created::No;
    }
    match read().await {
        Ok(t) if ours(&t) => {
            tracing::info!(error = %err, "create confirmed after a lost answer");
            Created::Yes(t)
        }
        Ok(t) => Created::Taken(t),
        Err(g) if g.is_not_found() => Created::No,
        Err(_) => Created::Unknown,
    }
}

/// The state to keep after a create that may have happened but could not be confirmed (the
/// answer was lost and reading back failed too, or Terraform stopped the provider): the
/// planned values with the uid that was sent, and an error. Terraform records it as tainted,
/// so the next apply deletes that uid (if it exists) and creates again: never a duplicate, never
/// an orphan. The one place the framework writes a resource attribute by name (`uid`, which
/// every Grafana object has).
pub fn unconfirmed_create(kind: &str, planned: &Value, uid: &str, err: &Error) -> (Value, Diagnostic) {
    let mut s = planned.unknowns_to_null();
    s.set("uid", Value::string(uid));
    let why = api_error("", err).detail;
    let d = Diagnostic::error(
        format!("Could not confirm that the {kind} {uid:?} was created"),
        format!(
            "{why}\n\nGrafana may have created it. It is recorded in the state as tainted, so the next apply removes \
                uid {uid:?} if it exists and creates it again, without leaving a copy behind."
        ),
    );
    (s, d)
}

/// What a delete's answer means: done when Grafana deleted the object or it was already gone,
/// and, when the answer was lost, when reading the object back (`read`) finds it gone.
/// Otherwise the error, for the `kind` of object.
pub async fn delete_outcome<T, F>(
    kind: &str,
    uid: &str,
    deleted: Result<(), Error>,
    read: impl FnOnce() -> F,
) -> Option<Diagnostic>
where
    F: Future<Output = Result<T, Error>>,
{
    let e = match deleted {
        Ok(()) => return None,
        Err(e) if e.is_not_found() => return None,
        Err(e) => e,
    };
    if e.may_have_acted() && read().await.is_err_and(|g| g.is_not_found()) {
        return None;
    }
    Some(api_error(format!("Could not delete {kind} {uid:?}"), &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost() -> Error {
        let (method, path) = ("POST".into(), "/api/folders".into());
        let reason = "connection reset".into();
        Error::Transport { method, path, reason, connect: false, tls: false, timed_out: false, note: String::new() }
    }
    fn api(status: u16) -> Error {
        Error::Api { status, message: "answer".into(), reason: None, retry_after: None, role: None }
    }
    fn not_found() -> Error {
        api(404)
    }

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    }

    #[test]
    fn a_create_is_confirmed_only_by_reading_back_what_it_sent() {
        let ours = |v: &&str| *v == "mine";
        assert_eq!(run(confirm_create(&lost(), || async { Ok("mine") }, ours)), Created::Yes("mine"));
        assert_eq!(run(confirm_create(&lost(), || async { Ok("theirs") }, ours)), Created::Taken("theirs"));
        assert_eq!(run(confirm_create(&lost(), || async { Err::<&str, _>(not_found()) }, ours)), Created::No);
        assert_eq!(run(confirm_create(&lost(), || async { Err::<&str, _>(lost()) }, ours)), Created::Unknown);
        // A refusal Grafana certainly did not act on is not read back at all.
        let refused = api(400);
        let read = || async { panic!("no read after a refusal") };
        assert_eq!(run(confirm_create::<&str, _>(&refused, read, ours)), Created::No);
    }

    #[test]
    fn a_404_on_read_is_gone_and_other_errors_fail_with_a_diagnostic() {
        let mut d = Diagnostics::default();
        assert_eq!(read_outcome(Ok(1), "folder", "f", &mut d), ReadOutcome::Found(1));
        assert_eq!(read_outcome::<i32>(Err(not_found()), "folder", "f", &mut d), ReadOutcome::Gone);
        assert!(d.0.is_empty());
        assert_eq!(read_outcome::<i32>(Err(lost()), "folder", "f", &mut d), ReadOutcome::Failed);
        assert_eq!(d.0[0].summary, r#"Could not read folder "f""#);
    }

    #[test]
    fn a_lost_delete_answer_is_done_when_the_object_is_gone() {
        let gone = || async { Err::<(), _>(not_found()) };
        let still = || async { Ok::<(), Error>(()) };
        assert!(run(delete_outcome("folder", "f", Err(lost()), gone)).is_none());
        assert!(run(delete_outcome("folder", "f", Err(lost()), still)).is_some());
        assert!(run(delete_outcome("folder", "f", Err(not_found()), still)).is_none());
    }
}
