"""Every write in core: one function per use case, keyword-only, `actor` first, in a transaction."""
