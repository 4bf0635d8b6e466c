//! The deciding half of Django's `process_response` (spec 5, rule M2): from
//! the session as the handler left it, the response status and the layer's
//! transports, what the middleware does. Pure;
//! [`SessionService`](crate::SessionService) applies the decision.

use http::StatusCode;
use session_core::Error;

use crate::request::{KeySource, RequestState};

/// The session as the handler left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionState {
    /// The handler read or wrote the session (Django's `accessed`).
    pub(crate) accessed: bool,
    /// The handler changed the session (Django's `modified`).
    pub(crate) modified: bool,
    /// The session has no key and no data (Django's `is_empty()`).
    pub(crate) empty: bool,
}

/// What of the layer's configuration the decision depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// The session cookie is on.
    pub(crate) cookie: bool,
    /// A token header is configured.
    pub(crate) header: bool,
    /// Django's `SESSION_SAVE_EVERY_REQUEST`.
    pub(crate) save_every_request: bool,
}

/// What the middleware does with the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Nothing is saved or sent; `Vary` is patched when the handler accessed
    /// the session.
    Nothing {
        /// Patch `Vary`.
        vary: bool,
    },
    /// The session ended empty: delete the session cookie the request
    /// carried (`cookie`) and tell a token client to forget its token
    /// (`token`). `Vary` is patched.
    Forget {
        /// Delete the session cookie.
        cookie: bool,
        /// Send the token header with an empty value.
        token: bool,
    },
    /// The session needs saving but the response is a server error: nothing
    /// is saved or sent. The cookie lifetime is still read first, as Django
    /// computes `max_age` before it looks at the status, so a store failure
    /// there still replaces the response.
    SkipSave {
        /// Patch `Vary`.
        vary: bool,
    },
    /// Save the session (even if the handler saved it already: that save
    /// detects a concurrent logout, L1), then send its key in the session
    /// cookie (`cookie`) and, if the key is new to the client, in the token
    /// header (`token`). `Vary` is patched.
    Save {
        /// Set the session cookie.
        cookie: bool,
        /// Send the key in the token header when it differs from the key
        /// the request carried.
        token: bool,
    },
}

/// Django's `process_response` as a decision.
pub(crate) fn decide(
    policy: Policy,
    request: &RequestState,
    session: SessionState,
    status: StatusCode,
) -> Action {
    let from_header = request.source == KeySource::Header;
    let delete_cookie = policy.cookie && request.cookie_present && session.empty;
    let discard_token = from_header && session.empty;
    if delete_cookie || discard_token {
        return Action::Forget {
            cookie: delete_cookie,
            token: discard_token,
        };
    }
    if !(session.modified || policy.save_every_request) || session.empty {
        return Action::Nothing {
            vary: session.accessed,
        };
    }
    if status.is_server_error() {
        return Action::SkipSave {
            vary: session.accessed,
        };
    }
    Action::Save {
        cookie: policy.cookie && !from_header,
        // The key goes in the header only to clients that use header
        // transport, never to a browser using the cookie (an HttpOnly key
        // must not become readable by scripts).
        token: policy.header && (from_header || !policy.cookie),
    }
}

/// The status of the response that replaces the handler's when the session
/// cannot be saved: 400 for an interrupted session (Django's
/// `SessionInterrupted`), 500 for a store failure.
pub(crate) fn failure_status(err: &Error) -> StatusCode {
    if err.is_interrupted() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

#[cfg(test)]
mod tests {
    use session_core::{ErrorKind, Operation};

    use super::*;

    const COOKIE_ONLY: Policy = Policy {
        cookie: true,
        header: false,
        save_every_request: false,
    };
    const OK: StatusCode = StatusCode::OK;

    fn request(source: KeySource, cookie_present: bool) -> RequestState {
        RequestState {
            cookie_present,
            source,
            key: (source != KeySource::None).then(|| "k".to_owned()),
        }
    }

    fn session(accessed: bool, modified: bool, empty: bool) -> SessionState {
        SessionState {
            accessed,
            modified,
            empty,
        }
    }

    fn browser() -> RequestState {
        request(KeySource::Cookie, true)
    }

    #[test]
    fn untouched_session_does_nothing() {
        let action = decide(COOKIE_ONLY, &browser(), session(false, false, false), OK);
        assert_eq!(action, Action::Nothing { vary: false });
    }

    #[test]
    fn accessed_session_only_varies() {
        // Django: `if accessed: patch_vary_headers(response, ("Cookie",))`.
        let action = decide(COOKIE_ONLY, &browser(), session(true, false, false), OK);
        assert_eq!(action, Action::Nothing { vary: true });
    }

    #[test]
    fn cookie_present_and_session_empty_deletes_the_cookie() {
        let action = decide(COOKIE_ONLY, &browser(), session(true, true, true), OK);
        assert_eq!(
            action,
            Action::Forget {
                cookie: true,
                token: false
            }
        );
        // Django deletes whatever the status.
        let on_500 = decide(
            COOKIE_ONLY,
            &browser(),
            session(false, false, true),
            StatusCode::INTERNAL_SERVER_ERROR,
        );
        assert_eq!(on_500, action);
    }

    #[test]
    fn empty_session_without_cookie_sends_nothing() {
        let none = request(KeySource::None, false);
        let action = decide(COOKIE_ONLY, &none, session(true, true, true), OK);
        assert_eq!(action, Action::Nothing { vary: true });
    }

    #[test]
    fn modified_session_is_saved_and_the_cookie_set() {
        let action = decide(COOKIE_ONLY, &browser(), session(true, true, false), OK);
        assert_eq!(
            action,
            Action::Save {
                cookie: true,
                token: false
            }
        );
    }

    #[test]
    fn save_every_request_saves_an_unmodified_session() {
        let policy = Policy {
            save_every_request: true,
            ..COOKIE_ONLY
        };
        let action = decide(policy, &browser(), session(false, false, false), OK);
        assert_eq!(
            action,
            Action::Save {
                cookie: true,
                token: false
            }
        );
        // ... but never an empty one.
        let none = request(KeySource::None, false);
        let empty = decide(policy, &none, session(false, false, true), OK);
        assert_eq!(empty, Action::Nothing { vary: false });
    }

    #[test]
    fn server_error_is_not_saved() {
        // Django: `if response.status_code < 500: save and set_cookie`.
        for status in [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::SERVICE_UNAVAILABLE,
        ] {
            let action = decide(COOKIE_ONLY, &browser(), session(true, true, false), status);
            assert_eq!(action, Action::SkipSave { vary: true });
        }
        let client_error = decide(
            COOKIE_ONLY,
            &browser(),
            session(true, true, false),
            StatusCode::NOT_FOUND,
        );
        assert!(matches!(client_error, Action::Save { .. }));
    }

    #[test]
    fn token_client_gets_the_header_and_no_cookie() {
        let both = Policy {
            header: true,
            ..COOKIE_ONLY
        };
        let token = request(KeySource::Header, false);
        let saved = decide(both, &token, session(true, true, false), OK);
        assert_eq!(
            saved,
            Action::Save {
                cookie: false,
                token: true
            }
        );
        // A browser on the same layer never sees its key in a header.
        let browser_saved = decide(both, &browser(), session(true, true, false), OK);
        assert_eq!(
            browser_saved,
            Action::Save {
                cookie: true,
                token: false
            }
        );
        // Logout: the token is discarded, and a cookie also sent is deleted.
        let token_and_cookie = request(KeySource::Header, true);
        let forgotten = decide(both, &token_and_cookie, session(true, true, true), OK);
        assert_eq!(
            forgotten,
            Action::Forget {
                cookie: true,
                token: true
            }
        );
    }

    #[test]
    fn without_cookie_every_client_is_a_token_client() {
        let header_only = Policy {
            cookie: false,
            header: true,
            save_every_request: false,
        };
        let first = request(KeySource::None, false);
        let action = decide(header_only, &first, session(true, true, false), OK);
        assert_eq!(
            action,
            Action::Save {
                cookie: false,
                token: true
            }
        );
        // A flushed session that came without a token has nothing to forget.
        let emptied = decide(header_only, &first, session(true, true, true), OK);
        assert_eq!(emptied, Action::Nothing { vary: true });
    }

    #[test]
    fn interrupted_save_is_400_and_other_failures_500() {
        // Django raises SessionInterrupted (a 400) when the save finds the
        // session deleted meanwhile.
        let interrupted = Error::interrupted(Operation::Save, "test");
        assert_eq!(interrupted.kind(), ErrorKind::Interrupted);
        assert_eq!(failure_status(&interrupted), StatusCode::BAD_REQUEST);
        let storage = Error::new(ErrorKind::Storage, Operation::Save, "test");
        assert_eq!(failure_status(&storage), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
