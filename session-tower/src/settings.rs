//! [`Settings`]: what a [`SessionLayer`](crate::SessionLayer) was configured
//! with, shared by the services it makes.

use std::fmt;
use std::sync::Arc;

use http::HeaderName;
use session_core::{Config, SessionStore};

use crate::cookie_signing::CookieSigning;

/// The layer's configuration (see the builder methods of
/// [`SessionLayer`](crate::SessionLayer)).
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) config: Arc<Config>,
    pub(crate) cookie: bool,
    pub(crate) header: Option<HeaderName>,
    pub(crate) signing: Option<Arc<CookieSigning>>,
    pub(crate) cache_control: bool,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionLayer")
            .field("store", &self.store.name())
            .field("config", &self.config)
            .field("cookie", &self.cookie)
            .field("header", &self.header)
            .field("signing", &self.signing)
            .field("cache_control", &self.cache_control)
            .finish()
    }
}
