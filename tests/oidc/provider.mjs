// A real OpenID provider for the single sign-on tests: oidc-provider (an
// OpenID Certified implementation) on loopback, with one confidential
// client, a few accounts and a plain sign-in page.
//
//   node tests/oidc/provider.mjs PORT REDIRECT_URI POST_LOGOUT_URI
//
// Prints "ready ISSUER" when it answers.  The client is "linkdesk" with the
// secret "linkdesk-test-secret".  Test-only routes, which no real provider
// has, let a test change what the provider says:
//   POST /test/accounts {sub, email, name, groups, email_verified}
//        add or change an account
//   POST /test/mode {mode}  the next ID token is re-signed: "expired",
//        "wrong_aud", "wrong_nonce", "unknown_key" (a key it does not
//        publish), "recently_expired" (30 s ago: within the client's
//        allowed clock skew), or "" for none
//   POST /test/rotate        sign with a new key (new kid) from now on
import http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const accounts = new Map();
function account(a) {
  accounts.set(a.sub, {
    email_verified: true, groups: [], name: a.email, ...accounts.get(a.sub), ...a,
  });
}
account({ sub: 'officer-1', email: 'link.officer@demo.linkdesk.test', name: 'Priya Shah', groups: ['linkdesk-link-officers'] });
account({ sub: 'director-1', email: 'director@demo.linkdesk.test', name: 'James Ward', groups: ['linkdesk-directors'] });

async function newKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}
let keys = [await newKey('key-1')];
let nextKid = 2;
const unknownKey = await newKey('key-not-published');
let mode = '';

function makeProvider() {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'linkdesk',
      client_secret: 'linkdesk-test-secret',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys },
    cookies: { keys: ['oidc-test-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    conformIdTokenClaims: false,
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: a.email, email_verified: a.email_verified, name: a.name, groups: a.groups };
        },
      };
    },
  });
  // The test modes: the ID token of the next answer re-minted.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || !mode || !ctx.body || !ctx.body.id_token) return;
    const claims = jose.decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    let key = keys[keys.length - 1];
    if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
    if (mode === 'wrong_aud') claims.aud = 'another-client';
    if (mode === 'recently_expired') Object.assign(claims, { iat: now - 300, exp: now - 30 });
    if (mode === 'wrong_nonce') claims.nonce = 'not-the-nonce';
    if (mode === 'unknown_key') key = unknownKey;
    mode = '';
    ctx.body = {
      ...ctx.body,
      id_token: await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .sign(await jose.importJWK(key, 'RS256')),
    };
  });
  return provider;
}
let provider = makeProvider();

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html lang="en"><head><title>Test organisation sign-in</title></head>
<body><main><h1>Test organisation</h1>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="email">Work email</label> <input id="email" name="email" type="email">
<button type="submit">Continue</button></form></main></body></html>`);
    return;
  }
  const email = new URLSearchParams(await readBody(req)).get('email') || '';
  const found = [...accounts.values()].find((a) => a.email.toLowerCase() === email.toLowerCase());
  if (!found) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('no such account');
    return;
  }
  const grant = new provider.Grant({ accountId: found.sub, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: found.sub },
    consent: { grantId: grant.jti },
  }, { mergeWithLastSubmission: false });
}

async function test(req, res, path) {
  const body = JSON.parse((await readBody(req)) || '{}');
  if (path === '/test/accounts') account(body);
  else if (path === '/test/mode') mode = body.mode || '';
  else if (path === '/test/rotate') {
    keys = [...keys, await newKey(`key-${nextKid++}`)].slice(-1);
    provider = makeProvider();
  } else {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end('{"ok":true}');
}

const server = http.createServer(async (req, res) => {
  try {
    const path = new URL(req.url, issuer).pathname;
    const m = path.match(/^\/interaction\/([^/]+)$/);
    if (m) return await interaction(req, res, m[1]);
    if (req.method === 'POST' && path.startsWith('/test/')) return await test(req, res, path);
    return provider.callback()(req, res);
  } catch (e) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(String(e && e.stack));
  }
});
server.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
