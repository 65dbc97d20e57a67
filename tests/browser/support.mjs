// What the browser tests share: a server of the build under test on a free
// port against the suite's database, Debian's chromium, signing in as a
// demo user, and check(): the page not in GOV.UK's brand, axe-core at WCAG
// 2.2 AA wide and at 320 pixels (no sideways scrolling), with screenshots
// in LINKDESK_TEST_ARTIFACTS.  Not a test file itself.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

export const root = process.env.LINKDESK_ROOT
export const password = 'demo-linkdesk-2026'
export const artifacts = process.env.LINKDESK_TEST_ARTIFACTS || mkdtempSync(join(tmpdir(), 'shots-'))
const axeSource = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8')

function freePort () {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

// Start `linkdesk serve` (extra settings in env) and chromium.
export async function start (env = {}) {
  mkdirSync(artifacts, { recursive: true })
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const server = spawn(process.env.LINKDESK_BIN, ['serve'], {
    env: { ...process.env, LINKDESK_LISTEN: `127.0.0.1:${port}`, LINKDESK_BASE_URL: base,
      LINKDESK_TODAY: '2026-11-23', LINKDESK_SCHEDULER: '0', LINKDESK_WEB_DIR: join(root, 'web'), ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/api/v1/ping`)).ok) break } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const browser = await chromium.launch({
    executablePath: process.env.LINKDESK_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic']
  })
  return {
    base,
    browser,
    async stop () {
      await browser.close()
      server.kill('SIGTERM')
      await new Promise((resolve) => server.on('exit', resolve))
    }
  }
}

export async function signIn (base, context, who) {
  const page = await context.newPage()
  await page.goto(`${base}/sign-in`)
  await page.fill('#email', `${who}@demo.linkdesk.test`)
  await page.fill('#password', password)
  await page.click('button:has-text("Sign in")')
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'))
  return page
}

async function axeViolations (page) {
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }
    })
    // GOV.UK Frontend's conditionally revealing radios set aria-expanded
    // on the radio that shows its panel, which ARIA 1.2 does not list for
    // the radio role; the Design System keeps it for screen readers that
    // announce it (alphagov/govuk-frontend#979). That one attribute on
    // such a radio is let pass; anything else it has is still reported.
    const revealing = (n) => /class="govuk-radios__input"/.test(n.html) && /aria-controls=/.test(n.html) &&
      n.any.concat(n.all, n.none).every((c) => c.id !== 'aria-allowed-attr' ||
        (Array.isArray(c.data) && c.data.every((a) => /^aria-expanded=/.test(a))))
    return r.violations
      .map((v) => ({ ...v, nodes: v.id === 'aria-allowed-attr' ? v.nodes.filter((n) => !revealing(n)) : v.nodes }))
      .filter((v) => v.nodes.length)
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  })
}

// Not GOV.UK's brand: no GDS Transport (no @font-face at all, no font
// file fetched), Arial, no GOV.UK header, crown or image; the
// organisation's name in the Generic header.
async function notGovuk (page, name) {
  const seen = await page.evaluate(() => {
    const faces = []
    for (const sheet of document.styleSheets) {
      for (const rule of sheet.cssRules) {
        if (rule instanceof CSSFontFaceRule) faces.push(rule.style.getPropertyValue('font-family'))
      }
    }
    return {
      faces,
      font: getComputedStyle(document.querySelector('main h1') ?? document.body).fontFamily,
      fetched: performance.getEntriesByType('resource').map((e) => e.name)
        .filter((n) => /\.woff2?$|\/assets\/(fonts|images)\/|crest|crown/.test(n)),
      crown: document.querySelectorAll('.govuk-header, .govuk-header__logo, .govuk-logo, [class*="crown"]').length,
      org: document.querySelector('.govuk-generic-header')?.textContent.trim()
    }
  })
  assert.deepEqual(seen.faces, [], `${name}: no @font-face`)
  assert.match(seen.font, /^arial, sans-serif$/i, `${name}: Arial`)
  assert.deepEqual(seen.fetched, [], `${name}: no GOV.UK font or image fetched`)
  assert.equal(seen.crown, 0, `${name}: no GOV.UK header or crown`)
  assert.match(seen.org ?? '', /\S/, `${name}: the organisation's name in the Generic header`)
}

// The page as a page of the organisation's, accessible at both widths.
export async function check (page, name) {
  await notGovuk(page, name)
  assert.deepEqual(await axeViolations(page), [], `axe on ${name}`)
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })
  const size = page.viewportSize()
  await page.setViewportSize({ width: 320, height: 640 })
  assert.deepEqual(await axeViolations(page), [], `axe on ${name} at 320 px`)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `${name} scrolls sideways at 320 px by ${overflow} px`)
  await page.screenshot({ path: join(artifacts, `${name}-320.png`), fullPage: true })
  await page.setViewportSize(size)
}
