"""The registry's pages, one module per concern: directory, profile, accounts, moderation."""
