//! File-system session store: one file per session, atomic writes, Django file-backend compatible.
