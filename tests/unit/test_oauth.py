"""The OAuth requests Ippo sends, pinned to the RFCs and to Google's and Microsoft's published
documentation; answers, errors and SASL strings; the client-ID table; the config's auth block.

Sources:
- RFC 7636 (PKCE) appendix B test vector; RFC 7628 (OAUTHBEARER) section 4.1 example.
- Google, "OAuth 2.0 for Mobile & Desktop Apps" (developers.google.com/identity/protocols/
  oauth2/native-app): authorization endpoint https://accounts.google.com/o/oauth2/v2/auth,
  token endpoint https://oauth2.googleapis.com/token, loopback redirect http://127.0.0.1:port,
  code_challenge_method=S256, access_type=offline for a refresh token; "Gmail IMAP and SMTP
  using OAuth 2.0" (developers.google.com/gmail/imap/xoauth2-protocol): scope
  https://mail.google.com/ and the XOAUTH2 string, with its worked example.
- Microsoft, "Authenticate an IMAP, POP or SMTP connection using OAuth" (learn.microsoft.com/
  exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-
  by-using-oauth): scopes https://outlook.office.com/IMAP.AccessAsUser.All and
  https://outlook.office.com/SMTP.Send with offline_access, SASL XOAUTH2; "Microsoft identity
  platform and OAuth 2.0 authorization code flow": https://login.microsoftonline.com/{tenant}/
  oauth2/v2.0/authorize and /token with tenant `common` for work and personal accounts.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.config import account_from_dict, account_to_dict
from trayapp.core.model import AccountConfig, OAuthSettings
from trayapp.core.oauth import (
    GOOGLE,
    MICROSOFT,
    AuthorizationRequest,
    BearerToken,
    Client,
    Endpoints,
    OAuthError,
    SignInRequired,
    StateMismatch,
    authorization_code,
    authorization_request,
    check_issuer_url,
    code_exchange_form,
    default_scopes,
    endpoints_from_discovery,
    needs_refresh,
    oauthbearer,
    parse_token_response,
    pkce_pair,
    provider_for_email,
    refresh_form,
    xoauth2,
)
from trayapp.oauth.clients import NoClientConfigured, resolve_client

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# fmt: off
RFC7636_OCTETS = bytes((
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
    22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
))
# fmt: on


def fixed_random(n: int) -> bytes:
    return (RFC7636_OCTETS * 2)[:n]


def query(url: str) -> dict[str, str]:
    parsed = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, strict_parsing=True)
    assert all(len(v) == 1 for v in parsed.values()), parsed
    return {k: v[0] for k, v in parsed.items()}


def test_pkce_matches_rfc7636_appendix_b() -> None:
    verifier, challenge = pkce_pair(fixed_random)
    assert verifier == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_google_authorization_request_as_documented() -> None:
    request = authorization_request(
        "google",
        GOOGLE,
        Client("123.apps.googleusercontent.com", "desktop-secret"),
        default_scopes("google"),
        "http://127.0.0.1:53682/",
        fixed_random,
        login_hint="shop@gmail.com",
    )
    base, _, _ = request.url.partition("?")
    assert base == "https://accounts.google.com/o/oauth2/v2/auth"
    params = query(request.url)
    assert params == {
        "response_type": "code",
        "client_id": "123.apps.googleusercontent.com",
        "redirect_uri": "http://127.0.0.1:53682/",
        "scope": "https://mail.google.com/",
        "state": request.state,
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",
        "login_hint": "shop@gmail.com",
    }
    assert "client_secret" not in request.url  # never in the browser's URL
    assert len(request.state) >= 32
    form = code_exchange_form(
        Client("123.apps.googleusercontent.com", "desktop-secret"), "C", request
    )
    assert form == {
        "grant_type": "authorization_code",
        "code": "C",
        "redirect_uri": "http://127.0.0.1:53682/",
        "client_id": "123.apps.googleusercontent.com",
        "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "client_secret": "desktop-secret",
    }
    assert GOOGLE.token == "https://oauth2.googleapis.com/token"


def test_microsoft_authorization_request_as_documented() -> None:
    request = authorization_request(
        "microsoft",
        MICROSOFT,
        Client("00000000-1111-2222-3333-444444444444"),
        default_scopes("microsoft"),
        "http://127.0.0.1:40000/",
        fixed_random,
    )
    base, _, _ = request.url.partition("?")
    assert base == "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
    assert MICROSOFT.token == "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    params = query(request.url)
    assert params["scope"].split(" ") == [
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "https://outlook.office.com/SMTP.Send",
        "offline_access",
    ]
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"] == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == "http://127.0.0.1:40000/"
    assert "access_type" not in params and "prompt" not in params
    assert refresh_form(Client("id"), "R") == {
        "grant_type": "refresh_token",
        "refresh_token": "R",
        "client_id": "id",
    }


def test_openid_provider_asks_consent_for_offline_access_and_overridden_scopes_apply() -> None:
    endpoints = Endpoints("https://id.example.jp/auth?tenant=a", "https://id.example.jp/token")
    request = authorization_request(
        "oidc",
        endpoints,
        Client("ippo"),
        ("openid", "email", "offline_access"),
        "http://127.0.0.1:1/",
        fixed_random,
    )
    assert request.url.startswith("https://id.example.jp/auth?tenant=a&")
    params = query(request.url)
    assert params["prompt"] == "consent" and params["scope"] == "openid email offline_access"
    plain = authorization_request(
        "oidc", endpoints, Client("ippo"), ("openid", "mail"), "http://127.0.0.1:1/", fixed_random
    )
    assert "prompt" not in query(plain.url)


def test_sasl_strings_match_the_published_examples() -> None:
    # Google's XOAUTH2 worked example, byte for byte.
    raw = xoauth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
    assert base64.b64encode(raw).decode() == (
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
        "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )
    # RFC 7628 section 4.1.
    assert oauthbearer(
        "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143
    ) == (
        b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
        b"auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
    )
    assert oauthbearer("a,b=c", "t", "h", 1).startswith(b"n,a=a=2Cb=3Dc,")


def _request() -> AuthorizationRequest:
    return AuthorizationRequest("https://x/auth", "the-state", "verifier", "http://127.0.0.1:1/")


def test_redirect_answers() -> None:
    request = _request()
    assert authorization_code({"code": ["abc"], "state": ["the-state"]}, request, None) == "abc"
    for bad in (
        {"code": ["abc"]},
        {"code": ["abc"], "state": ["other"]},
        {"code": ["a"], "state": ["the-state", "the-state"]},
    ):
        with pytest.raises(StateMismatch):
            authorization_code(bad, request, None)
    with pytest.raises(OAuthError, match="another provider"):
        authorization_code(
            {"code": ["a"], "state": ["the-state"], "iss": ["https://evil.example"]},
            request,
            "https://id.example.jp",
        )
    with pytest.raises(OAuthError, match="cancelled or access was not granted"):
        authorization_code({"error": ["access_denied"], "state": ["the-state"]}, request, None)
    with pytest.raises(OAuthError) as refused:
        authorization_code(
            {
                "error": ["invalid_scope"],
                "error_description": ["no\r\n<b>way</b>\u202e"],
                "state": ["the-state"],
            },
            request,
            None,
        )
    assert "\n" not in str(refused.value) and "\u202e" not in str(refused.value)


def test_token_answers() -> None:
    tokens = parse_token_response(
        200,
        {"access_token": "A", "expires_in": 3599, "refresh_token": "R", "token_type": "Bearer"},
        NOW,
    )
    assert tokens.expires_at == NOW + timedelta(seconds=3599) and tokens.refresh_token == "R"
    assert "A" not in repr(tokens) and "R'" not in repr(tokens)
    with pytest.raises(SignInRequired) as gone:
        parse_token_response(400, {"error": "invalid_grant"}, NOW)
    assert str(gone.value) == "sign in again"
    with pytest.raises(OAuthError, match="invalid_client"):
        parse_token_response(401, {"error": "invalid_client"}, NOW)
    with pytest.raises(OAuthError, match="not Bearer"):
        parse_token_response(200, {"access_token": "A", "token_type": "mac"}, NOW)


def test_renewal_comes_shortly_before_expiry() -> None:
    hour = parse_token_response(200, {"access_token": "A", "expires_in": 3600}, NOW)
    assert not needs_refresh(hour, NOW + timedelta(minutes=54, seconds=59))
    assert needs_refresh(hour, NOW + timedelta(minutes=55))
    short = parse_token_response(200, {"access_token": "A", "expires_in": 30}, NOW)
    assert not needs_refresh(short, NOW + timedelta(seconds=23))
    assert needs_refresh(short, NOW + timedelta(seconds=24))
    assert needs_refresh(None, NOW)


def test_bearer_token_is_a_str_that_hides_itself() -> None:
    token = BearerToken("secret-token")
    assert token == "secret-token" and isinstance(token, str)
    assert "secret-token" not in repr(token) and token.renew is None


def test_issuer_urls() -> None:
    assert (
        check_issuer_url("https://login.example.jp/realms/shop/")
        == "https://login.example.jp/realms/shop"
    )
    assert check_issuer_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert check_issuer_url("http://localhost:8080/") == "http://localhost:8080"
    assert check_issuer_url("http://[::1]:9/") == "http://[::1]:9"
    for bad in (
        "http://login.example.jp",
        "http://10.0.0.1",
        "ftp://x",
        "login.example.jp",
        "https://x/?a=1",
    ):
        with pytest.raises(OAuthError):
            check_issuer_url(bad)


def test_discovery_document() -> None:
    doc = {
        "issuer": "https://id.example.jp",
        "authorization_endpoint": "https://id.example.jp/auth",
        "token_endpoint": "https://id.example.jp/token",
        "code_challenge_methods_supported": ["S256"],
    }
    found = endpoints_from_discovery("https://id.example.jp", doc)
    assert (found.authorization, found.token) == (
        "https://id.example.jp/auth",
        "https://id.example.jp/token",
    )
    with pytest.raises(OAuthError, match="another issuer"):
        endpoints_from_discovery("https://id.example.jp", {**doc, "issuer": "https://evil.example"})
    with pytest.raises(OAuthError, match="not https"):
        endpoints_from_discovery(
            "https://id.example.jp", {**doc, "token_endpoint": "http://id.example.jp/t"}
        )
    with pytest.raises(OAuthError, match="S256"):
        endpoints_from_discovery(
            "https://id.example.jp", {**doc, "code_challenge_methods_supported": ["plain"]}
        )


def test_addresses_pick_the_provider() -> None:
    assert provider_for_email("Shop@Gmail.com") == "google"
    assert provider_for_email("a@hotmail.co.jp") == "microsoft"
    assert provider_for_email("a@contoso.onmicrosoft.com") == "microsoft"
    assert provider_for_email("info@my-shop.jp") is None


def test_client_ids_come_from_one_table_with_overrides() -> None:
    with pytest.raises(NoClientConfigured) as none:
        resolve_client("google", None, {}, {})
    assert str(none.value).startswith("this build of Ippo has no OAuth client ID for Google;")
    env = {"IPPO_OAUTH_GOOGLE_CLIENT_ID": "env-id", "IPPO_OAUTH_GOOGLE_CLIENT_SECRET": "s"}
    assert resolve_client("google", None, {}, env) == Client("env-id", "s")
    settings = {"oauth_client_ids": {"microsoft": "ms-id"}}
    assert resolve_client("microsoft", None, settings, {}) == Client("ms-id")
    # A per-account ID wins; another registration's secret is not sent with it.
    assert resolve_client("google", "own-id", settings, env) == Client("own-id", None)
    assert resolve_client("google", "env-id", settings, env) == Client("env-id", "s")


def test_auth_block_round_trips_and_password_accounts_are_unchanged() -> None:
    plain = AccountConfig(name="shop", email="a@b.jp", imap_host="imap.b.jp")
    assert "auth" not in account_to_dict(plain)
    oauth = AccountConfig(
        name="g",
        email="a@gmail.com",
        imap_host="imap.gmail.com",
        auth=OAuthSettings("google", "123.apps.googleusercontent.com"),
    )
    raw = account_to_dict(oauth)
    assert raw["auth"] == {
        "method": "oauth2",
        "provider": "google",
        "issuer": None,
        "client_id": "123.apps.googleusercontent.com",
        "scopes": [],
    }
    assert account_from_dict(raw) == oauth
    assert account_from_dict(account_to_dict(plain)) == plain


UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@settings(max_examples=200)
@given(seed=st.binary(min_size=64, max_size=64))
def test_pkce_and_state_properties(seed: bytes) -> None:
    def rnd(n: int) -> bytes:
        return (seed * 2)[:n]

    verifier, challenge = pkce_pair(rnd)
    assert 43 <= len(verifier) <= 128 and set(verifier) <= UNRESERVED  # RFC 7636 4.1
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    assert challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    request = authorization_request(
        "oidc", Endpoints("https://a/auth", "https://a/token"), Client("c"), ("openid",),
        "http://127.0.0.1:1/", rnd,
    )  # fmt: skip
    params = query(request.url)
    assert params["state"] == request.state and len(request.state) >= 32
    assert params["code_challenge"] == pkce_pair(rnd)[1]
    assert "code_verifier" not in params  # the verifier never leaves this process via the URL


@settings(max_examples=200)
@given(state=st.text(max_size=40), code=st.text(min_size=1, max_size=40))
def test_only_the_exact_state_is_accepted(state: str, code: str) -> None:
    request = _request()
    answer = {"code": [code], "state": [state]}
    if state == request.state:
        assert authorization_code(answer, request, None) == code
    else:
        with pytest.raises(StateMismatch):
            authorization_code(answer, request, None)
