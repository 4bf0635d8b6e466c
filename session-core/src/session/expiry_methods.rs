//! Per-session expiry on [`Session`]: Django's `set_expiry` and the
//! `get_expiry_*` family (rules E2..E4).

use time::OffsetDateTime;

use super::Session;
use crate::error::Result;
use crate::expiry::{self, Expiry, StoredExpiry};
use crate::record::EXPIRY_KEY;

impl Session {
    // ----- expiry -------------------------------------------------------

    /// Sets this session's expiry (rule E2), stored in the data under
    /// `_session_expiry` in Django's representation.
    /// [`Expiry::Default`] removes it, changing nothing if it was absent.
    pub async fn set_expiry(&self, expiry: Expiry) -> Result<()> {
        match expiry.to_stored(self.now()) {
            None => self.remove(EXPIRY_KEY).await.map(drop),
            Some(stored) => self.insert(EXPIRY_KEY, stored.to_value()).await.map(drop),
        }
    }

    /// The stored per-session expiry, if any. Reads the data.
    pub async fn expiry(&self) -> Result<Option<StoredExpiry>> {
        self.read(|data| data.get(EXPIRY_KEY).and_then(StoredExpiry::from_value))
            .await
    }

    /// Seconds until expiry as of now (Django's `get_expiry_age()`).
    pub async fn expiry_age(&self) -> Result<i64> {
        self.expiry_age_at(self.now()).await
    }

    /// Seconds until expiry as of `modification` (Django's
    /// `get_expiry_age(modification=...)`).
    pub async fn expiry_age_at(&self, modification: OffsetDateTime) -> Result<i64> {
        let stored = self.expiry().await?;
        Ok(self.expiry_age_for(modification, stored))
    }

    /// Django's `get_expiry_age(modification=..., expiry=...)`: uses the given
    /// expiry instead of the stored one, and neither loads nor marks accessed.
    pub fn expiry_age_for(
        &self,
        modification: OffsetDateTime,
        expiry: Option<StoredExpiry>,
    ) -> i64 {
        expiry::expiry_age(expiry, modification, self.inner.config.cookie_age)
    }

    /// The instant the session expires as of now (Django's `get_expiry_date()`).
    pub async fn expiry_date(&self) -> Result<OffsetDateTime> {
        self.expiry_date_at(self.now()).await
    }

    /// The instant the session expires if modified at `modification`.
    pub async fn expiry_date_at(&self, modification: OffsetDateTime) -> Result<OffsetDateTime> {
        let stored = self.expiry().await?;
        Ok(self.expiry_date_for(modification, stored))
    }

    /// Django's `get_expiry_date(modification=..., expiry=...)`; neither loads
    /// nor marks accessed.
    pub fn expiry_date_for(
        &self,
        modification: OffsetDateTime,
        expiry: Option<StoredExpiry>,
    ) -> OffsetDateTime {
        expiry::expiry_date(expiry, modification, self.inner.config.cookie_age)
    }

    /// Whether the cookie should end with the browser (rule E4).
    pub async fn expire_at_browser_close(&self) -> Result<bool> {
        let stored = self.expiry().await?;
        Ok(expiry::expire_at_browser_close(
            stored,
            self.inner.config.expire_at_browser_close,
        ))
    }
}
