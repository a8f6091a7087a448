"""Signing in with OAuth 2.0 (Google, Microsoft, any OpenID Connect provider): the I/O parts."""
