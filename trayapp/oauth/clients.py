"""Which OAuth client Ippo is at each provider: the one table a release build fills.

Google and Microsoft only hand out tokens to a registered app. A packager registers Ippo once
per provider (see README, "OAuth client IDs") and puts the IDs here -- or, without touching
the code, sets them at build or run time:

    IPPO_OAUTH_GOOGLE_CLIENT_ID, IPPO_OAUTH_GOOGLE_CLIENT_SECRET, IPPO_OAUTH_MICROSOFT_CLIENT_ID

or in config.json's settings: {"oauth_client_ids": {"google": "...", "microsoft": "..."}}.
Per account, `--oauth-client-id` wins over all of these (a company's own registration).

Google's "client secret" of a desktop app is not a secret (Google says so: installed apps
cannot keep one); it lives here next to the ID, never in config.json, which refuses
secret-like keys. An OpenID Connect provider's client is always given per account (or by
IPPO_OAUTH_OIDC_CLIENT_ID), since each server has its own registrations.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from trayapp.core.oauth import Client, OAuthError, ProviderKind

# Filled by a release build. Empty in a source checkout: then the environment or the
# settings must say, or the user gets one sentence telling them so.
RELEASE_CLIENTS: dict[str, Client] = {
    "google": Client(client_id="", secret=None),
    "microsoft": Client(client_id=""),
    "oidc": Client(client_id=""),
}

PROVIDER_NAMES = {"google": "Google", "microsoft": "Microsoft", "oidc": "this provider"}


class NoClientConfigured(OAuthError):
    def __init__(self, provider: str) -> None:
        name = PROVIDER_NAMES.get(provider, provider)
        flag = "--oauth-client-id" if provider == "oidc" else "--oauth-client-id (or set it up)"
        super().__init__(
            f"this build of Ippo has no OAuth client ID for {name}; give one with {flag} "
            f"or set IPPO_OAUTH_{provider.upper()}_CLIENT_ID (see README, 'OAuth client IDs')"
        )


def resolve_client(
    provider: ProviderKind,
    account_client_id: str | None = None,
    settings: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Client:
    """The client for `provider`: the account's own ID, else the environment, else the
    settings, else the release table. NoClientConfigured when none has one."""
    env = os.environ if environ is None else environ
    release = RELEASE_CLIENTS.get(provider, Client(""))
    prefix = f"IPPO_OAUTH_{provider.upper()}_"
    secret = env.get(prefix + "CLIENT_SECRET") or release.secret
    if account_client_id:
        # A per-account ID is its own registration: the release secret belongs to another.
        same = account_client_id in (release.client_id, env.get(prefix + "CLIENT_ID"))
        return Client(account_client_id, secret if same else None)
    from_env = env.get(prefix + "CLIENT_ID")
    if from_env:
        return Client(from_env, secret)
    ids = (settings or {}).get("oauth_client_ids")
    if isinstance(ids, Mapping):
        from_settings = ids.get(provider)
        if isinstance(from_settings, str) and from_settings:
            return Client(from_settings, secret if provider == "google" else None)
    if release.client_id:
        return release
    raise NoClientConfigured(provider)


def client_for_account(
    provider: ProviderKind, stored_client_id: str, environ: Mapping[str, str] | None = None
) -> Client:
    """The client of a signed-in account: the ID it signed in with (its refresh token is bound
    to it), with the table's secret when that is the same registration."""
    return resolve_client(provider, stored_client_id, None, environ)
