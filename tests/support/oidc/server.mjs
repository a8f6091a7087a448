// The authorization server of the OAuth tests: the npm package oidc-provider (a certified
// OpenID Connect implementation), configured here and nothing more. Started by
// tests/support/oidc_server.py with one argument, a JSON file:
//   { "port": N, "host": "127.0.0.1", "access_ttl": S, "refresh_ttl": S,
//     "clients": [ ...client metadata... ] }
// It prints one line "ready <issuer>" on stdout when it listens. Accounts: any login name on
// the provider's own (development) login page; the account id (sub) is that login name, and
// the email claim is <login>@example.test. Introspection (RFC 7662) and revocation (RFC 7009)
// are on, for Dovecot's oauth2 passdb and the SMTP test server.
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Debian 12's nodejs is 18, where the Web Crypto global (used by oidc-provider's jose) is
// still behind a flag; newer nodes have it already.
if (!globalThis.crypto) globalThis.crypto = webcrypto;
const { default: Provider } = await import('oidc-provider');

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://${settings.host}:${settings.port}`;

const provider = new Provider(issuer, {
  clients: settings.clients,
  scopes: ['openid', 'email', 'offline_access'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.test`, email_verified: true };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  ttl: {
    AccessToken: settings.access_ttl,
    AuthorizationCode: 120,
    Grant: settings.refresh_ttl,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: settings.refresh_ttl,
    Session: 3600,
  },
  // Tokens for the userinfo endpoint are opaque; Dovecot and the SMTP server introspect them.
  cookies: { keys: [settings.cookie_key] },
});
provider.proxy = false;

// One line per token event on stderr, for a test that must count refreshes or failures.
for (const event of ['grant.success', 'grant.error', 'introspection.error', 'revocation.success']) {
  provider.on(event, (ctx, error) => {
    const what = error ? `${error.name} ${error.message}` : '';
    process.stderr.write(`event ${event} ${ctx?.oidc?.params?.grant_type ?? ''} ${what}\n`);
  });
}

const server = provider.listen(settings.port, settings.host, () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
