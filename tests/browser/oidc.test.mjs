// Single sign-on in a real browser: Debian's chromium (playwright-core)
// signs in through a real OpenID provider (oidc-provider, from
// tests/oidc/provider.mjs, on loopback) as a link officer and as a
// director, lands on each one's home page, and signs out through the
// provider's end-session endpoint.  axe-core checks the sign-in page with
// its "Sign in with" button first.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const root = process.env.LINKDESK_ROOT
const artifacts = process.env.LINKDESK_TEST_ARTIFACTS || mkdtempSync(join(tmpdir(), 'shots-'))
const axeSource = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8')
let server, provider, base, issuer, browser

function freePort () {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

async function waitFor (url) {
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url)).ok) return } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} never answered`)
}

before(async () => {
  mkdirSync(artifacts, { recursive: true })
  const [port, providerPort] = [await freePort(), await freePort()]
  base = `http://127.0.0.1:${port}`
  issuer = `http://127.0.0.1:${providerPort}`
  provider = spawn('node', [join(root, 'tests/oidc/provider.mjs'), String(providerPort),
    `${base}/sign-in/oidc/callback`, `${base}/sign-in?signed_out=1`],
  { cwd: root, stdio: ['ignore', 'ignore', 'ignore'] })
  await waitFor(`${issuer}/.well-known/openid-configuration`)
  const secretFile = join(mkdtempSync(join(tmpdir(), 'oidc-')), 'secret')
  writeFileSync(secretFile, 'linkdesk-test-secret\n', { mode: 0o600 })
  server = spawn(process.env.LINKDESK_BIN, ['serve'], {
    env: {
      ...process.env,
      LINKDESK_LISTEN: `127.0.0.1:${port}`,
      LINKDESK_BASE_URL: base,
      LINKDESK_TODAY: '2026-11-23',
      LINKDESK_SCHEDULER: '0',
      LINKDESK_WEB_DIR: join(root, 'web'),
      LINKDESK_OIDC_ISSUER: issuer,
      LINKDESK_OIDC_CLIENT_ID: 'linkdesk',
      LINKDESK_OIDC_CLIENT_SECRET_FILE: secretFile,
      LINKDESK_OIDC_GROUP_ROLES: 'linkdesk-link-officers=link_officer;linkdesk-directors=leadership'
    },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  await waitFor(`${base}/api/v1/ping`)
  browser = await chromium.launch({
    executablePath: process.env.LINKDESK_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic']
  })
})

after(async () => {
  await browser?.close()
  for (const p of [server, provider]) {
    if (!p || p.exitCode !== null) continue
    p.kill('SIGTERM')
    await new Promise((resolve) => p.on('exit', resolve))
  }
})

async function axe (page, name) {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }
    })
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  })
  assert.deepEqual(violations, [], `axe on ${name}`)
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })
}

// Through the provider's own sign-in page, as a person would.
async function signInWithOrganisation (page, email) {
  await page.goto(`${base}/sign-in`)
  const button = page.getByRole('button', { name: 'Sign in with Demo Borough Council' })
  await button.click()
  await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'))
  await page.fill('#email', email)
  await page.click('button:has-text("Continue")')
  await page.waitForURL((url) => url.origin === base && !url.pathname.startsWith('/sign-in'))
}

test('the sign-in page offers the organisation first, then the password', async () => {
  const page = await browser.newPage()
  await page.goto(`${base}/sign-in`)
  const order = await page.evaluate(() => {
    const sso = document.querySelector('a[href="/sign-in/oidc"]')
    const pw = document.querySelector('#password')
    return sso && pw && (sso.compareDocumentPosition(pw) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0
  })
  assert.equal(order, true)
  await axe(page, 'oidc-01-sign-in')
  await page.close()
})

test('a link officer signs in through the provider and out again', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signInWithOrganisation(page, 'link.officer@demo.linkdesk.test')
  assert.match(page.url(), /\/home$/)
  assert.match(await page.textContent('.app-user-bar'), /Priya Shah/)
  await page.screenshot({ path: join(artifacts, 'oidc-02-link-officer-home.png'), fullPage: true })
  // Signing out ends the session here, then at the provider.
  await page.click('button:has-text("Sign out")')
  await page.waitForURL((url) => url.origin === issuer)
  await page.click('button:has-text("Yes, sign me out")')
  await page.waitForURL((url) => url.origin === base && url.pathname === '/sign-in')
  assert.match(await page.textContent('main'), /You have signed out/)
  const me = await page.request.get(`${base}/api/v1/me`)
  assert.equal(me.status(), 401)
  await context.close()
})

test('a director signs in through the provider', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signInWithOrganisation(page, 'director@demo.linkdesk.test')
  assert.match(page.url(), /\/leadership$/)
  assert.match(await page.textContent('.app-user-bar'), /James Ward/)
  const nav = await page.$$eval('.govuk-service-navigation__item a', (as) => as.map((a) => a.textContent.trim()))
  assert.ok(nav.includes('Performance'), `navigation: ${nav}`)
  assert.ok(!nav.includes('Home'), `navigation: ${nav}`)
  await page.screenshot({ path: join(artifacts, 'oidc-03-director.png'), fullPage: true })
  await context.close()
})
