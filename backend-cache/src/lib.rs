//! In-process session store on moka: bounded by bytes, per-entry expiry, atomic create and update.
