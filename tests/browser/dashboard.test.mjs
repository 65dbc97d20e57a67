// The dashboard in a real browser (Debian's chromium driven by
// playwright-core): a whole investigation played by three kinds of user,
// axe-core on every page at WCAG 2.2 AA, every page at 320 pixels wide,
// every page in the organisation's brand without GOV.UK's (no GDS
// Transport font, no crown), the Brand page,
// the main flow by keyboard alone, each role's navigation, and pages that
// work with JavaScript off.  Screenshots go to LINKDESK_TEST_ARTIFACTS.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { artifacts, check as checkPage, password, signIn as signInAs, start } from './support.mjs'

let base, browser, stop
const checked = new Set()

before(async () => {
  ({ base, browser, stop } = await start())
})

after(async () => {
  await stop?.()
})

// support.mjs's check (not GOV.UK's brand, axe at WCAG 2.2 AA wide and at
// 320 pixels, no sideways scrolling, screenshots), counted.
async function check (page, name) {
  await checkPage(page, name)
  checked.add(name)
}

// Press Tab until the selector has the focus: keyboard only.
async function tabTo (page, selector) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`could not reach ${selector} by keyboard`)
}

async function signIn (context, who, { keyboard = false } = {}) {
  if (!keyboard) return signInAs(base, context, who)
  const page = await context.newPage()
  await page.goto(`${base}/sign-in`)
  await tabTo(page, '#email')
  await page.keyboard.type(`${who}@demo.linkdesk.test`)
  await tabTo(page, '#password')
  await page.keyboard.type(password)
  await page.keyboard.press('Enter')
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'))
  return page
}

async function navTexts (page) {
  return page.$$eval('.govuk-service-navigation__item a', (as) => as.map((a) => a.textContent.trim()))
}

test('a whole investigation through the browser', async () => {
  const lo = await browser.newContext()
  // The link officer registers a notification and an evidence request.
  let page = await lo.newPage()
  await page.goto(`${base}/sign-in`)
  await check(page, '01-sign-in')
  await page.click('button:has-text("Sign in")')
  assert.match(await page.textContent('.govuk-error-summary'), /Enter your email address/)
  await check(page, '02-sign-in-errors')
  await page.close()
  page = await signIn(lo, 'link.officer', { keyboard: true })
  assert.match(page.url(), /\/home$/)
  assert.match(await page.textContent('h1'), /What needs doing today/)
  await check(page, '03-link-officer-home')

  await page.goto(`${base}/cases/new`)
  await check(page, '04-register-notification')
  await page.click('button:has-text("Register")')
  assert.match(await page.textContent('.govuk-error-summary'), /Choose the complaint/)
  await page.fill('#reference', 'not a reference')
  await page.selectOption('#complaint_id', { label: 'CMP-2025-0519: Repairs delay' })
  await page.check('#ombudsman-HOS')
  await page.click('button:has-text("Register")')
  // Refused, with what was typed kept.
  assert.match(await page.textContent('.govuk-error-summary'), /Not a HOS reference/)
  assert.equal(await page.inputValue('#reference'), 'not a reference')
  await check(page, '05-register-refused')
  await page.fill('#reference', '2026-55501')
  await page.click('button:has-text("Register")')
  assert.match(await page.textContent('h1'), /HOS 202655501/)
  await check(page, '06-case-notified')

  await page.click('a:has-text("An information or evidence request")')
  await check(page, '07-evidence-request')
  await page.fill('#title', 'Boiler repair records since October')
  await page.selectOption('#service_area_id', { label: 'Repairs and Maintenance' })
  await page.selectOption('#assignee_id', { label: 'Dan Price (Repairs and Maintenance)' })
  await page.click('button:has-text("Record")')
  assert.match(await page.textContent('main'), /Boiler repair records since October/)
  // Due 15 working days after 23 November 2026.
  assert.match(await page.textContent('main'), /Monday 14 December 2026/)
  assert.match(await page.textContent('main'), /due in 15 working days/)
  await check(page, '08-case-with-task')
  const taskHref = await page.getAttribute('a:has-text("Boiler repair records since October")', 'href')

  // The service-area officer answers, by keyboard.
  const so = await browser.newContext()
  page = await signIn(so, 'repairs.officer')
  assert.match(page.url(), /\/my-tasks$/)
  assert.match(await page.textContent('main'), /Boiler repair records since October/)
  await check(page, '09-my-tasks')
  assert.deepEqual(await navTexts(page), ['My tasks', 'Calendar'])
  await page.goto(base + taskHref)
  await check(page, '10-task-service-officer')
  await page.setInputFiles('#file', { name: 'boiler-log.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\nboiler log\n%%EOF\n') })
  await page.click('button:has-text("Upload file")')
  assert.match(await page.textContent('main'), /boiler-log\.pdf/)
  await tabTo(page, '#answer')
  await page.keyboard.type('Boiler visits log attached, with the engineer reports.')
  await tabTo(page, '#submit-answer')
  await page.keyboard.press('Enter')
  await page.waitForURL(/done=submit/)
  assert.match(await page.textContent('main'), /Awaiting validation/)
  await check(page, '11-task-submitted')

  // Three validators sign off.
  let n = 0
  for (const v of ['ad.resident.contacts', 'head.disputes', 'rx.manager']) {
    const ctx = await browser.newContext()
    page = await signIn(ctx, v)
    assert.match(page.url(), /\/validation$/)
    if (!n) await check(page, '12-validation-queue')
    await page.click('a:has-text("Boiler repair records since October")')
    if (!n) await check(page, '13-task-validator')
    await page.click('button:has-text("Approve")')
    assert.match(await page.textContent('main'), /approved by/)
    await ctx.close()
    n++
  }

  // The link officer records it sent.
  page = await lo.newPage()
  await page.goto(base + taskHref)
  assert.match(await page.textContent('main'), /Validated/)
  await page.click('button:has-text("Record as sent to the Ombudsman")')
  assert.match(await page.textContent('main'), /Sent to the Ombudsman/)
  await check(page, '14-task-sent')
  await page.click('a:has-text("HOS 202655501")')
  assert.match(await page.textContent('main'), /Evidence submitted/)
  await check(page, '15-case-timeline')
  await lo.close()
  await so.close()
})

test('each role sees its own navigation and nothing more', async () => {
  const expect = {
    'link.officer': ['Home', 'Inbox', 'Cases', 'Register a notification', 'Self-assessment', 'Calendar'],
    'repairs.officer': ['My tasks', 'Calendar'],
    'ad.resident.contacts': ['Validation', 'Cases', 'Calendar'],
    director: ['Performance', 'Cases', 'Self-assessment', 'Calendar'],
    admin: ['Self-assessment', 'Calendar', 'Administration']
  }
  for (const [who, nav] of Object.entries(expect)) {
    const ctx = await browser.newContext()
    const page = await signIn(ctx, who)
    assert.deepEqual(await navTexts(page), nav, who)
    if (who === 'director') {
      await page.goto(`${base}/leadership?period=2025-26`)
      await check(page, '16-leadership')
      // A number leads to the cases behind it.
      await page.click('a:has(span:text(" cases behind Cases received"))')
      assert.match(await page.textContent('h1'), /Cases behind Cases received/)
      await check(page, '16-leadership-drill-down')
      await page.goto(`${base}/reports/annual?year=2026-27`)
      assert.match(await page.textContent('h1'), /annual report 2026-27/)
      await check(page, '16-annual-report')
      await page.emulateMedia({ media: 'print' })
      await page.pdf?.({ path: join(artifacts, '16-annual-report.pdf'), format: 'A4' }).catch(() => {})
      await page.emulateMedia({ media: 'screen' })
    }
    if (who === 'admin') await check(page, '17-admin')
    await ctx.close()
  }
  const so = await browser.newContext()
  const page = await signIn(so, 'repairs.officer')
  const r = await page.goto(`${base}/home`)
  assert.equal(r.status(), 403)
  assert.match(await page.textContent('h1'), /You cannot see this page/)
  await check(page, '18-forbidden')
  // Another area's case is not there at all, and no resident is shown.
  const other = await page.goto(`${base}/cases/5`)
  assert.equal(other.status(), 404)
  assert.doesNotMatch(await page.content(), /Kowalczyk/)
  await page.goto(`${base}/calendar`)
  await check(page, '19-calendar')
  await page.click('button:has-text("Make a calendar address")')
  assert.match(await page.inputValue('#feed-url'), /\/feeds\/[A-Za-z0-9_-]{43}\.ics$/)
  await check(page, '20-calendar-made')
  await so.close()
})

test('a self-assessment against the Code, and the case page\'s timeliness', async () => {
  const ctx = await browser.newContext()
  const page = await signIn(ctx, 'link.officer')
  await page.goto(`${base}/self-assessments`)
  await check(page, '21-self-assessments')
  await page.fill('#title', 'Annual self-assessment 2026-27')
  await page.click('button:has-text("Start")')
  assert.match(await page.textContent('h1'), /Annual self-assessment 2026-27/)
  await check(page, '22-self-assessment')
  await page.click('a:has(span:text(" answer")) >> nth=0')
  await check(page, '23-provision')
  await page.check('#complies-no')
  await page.click('button:has-text("Save")')
  assert.match(await page.textContent('.govuk-error-summary'), /say what will be done/)
  await page.fill('#action', 'Update the policy definition')
  await page.fill('#expected_on-day', '31')
  await page.fill('#expected_on-month', '3')
  await page.fill('#expected_on-year', '2027')
  await page.click('button:has-text("Save")')
  assert.match(await page.textContent('main'), /Update the policy definition by 2027-03-31/)
  await page.goto(`${base}/cases/1`)
  assert.match(await page.textContent('main'), /Complaint handling against the Complaint Handling Code 2024/)
  await ctx.close()
})

test('pages work with JavaScript off, and sessions end', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false })
  const page = await signIn(ctx, 'link.officer')
  assert.match(page.url(), /\/home$/)
  await page.goto(`${base}/cases/1`)
  assert.match(await page.textContent('h1'), /HOS 202513877/)
  // The link officer sees the resident; the page escapes what it shows.
  assert.match(await page.textContent('main'), /Mrs Joan Ellery/)
  await page.click('button:has-text("Sign out")')
  assert.match(page.url(), /\/sign-in\?signed_out=1$/)
  await page.goto(`${base}/home`)
  assert.match(page.url(), /\/sign-in$/)
  await ctx.close()
})

test('this week\'s due tasks with their risk, with JavaScript and without', async () => {
  const ctx = await browser.newContext()
  const page = await signIn(ctx, 'link.officer')
  await page.goto(`${base}/home`)
  assert.match(await page.textContent('main'), /Likely to be late/)
  await page.click('a:has-text("This week\'s due tasks and their risk")')
  assert.match(await page.textContent('h1'), /This week/)
  await check(page, '24-this-week')
  // Home shows the first few of each; these pages show every one.
  await page.goto(`${base}/likely-late`)
  assert.match(await page.textContent('h1'), /Likely to be late/)
  assert.equal(await page.getAttribute('.govuk-back-link', 'href'), '/home')
  await check(page, '24-likely-late')
  await page.goto(`${base}/sanction-risk`)
  assert.match(await page.textContent('h1'), /Sanction risk/)
  await check(page, '24-sanction-risk')
  // So do home's task lists, each its own page.
  await page.goto(`${base}/home/overdue`)
  assert.match(await page.textContent('h1'), /Overdue/)
  assert.equal(await page.getAttribute('.govuk-back-link', 'href'), '/home')
  assert.ok(await page.locator('main a[href^="/tasks/"]').count() > 0)
  await check(page, '24-home-overdue')
  await page.goto(`${base}/home/areas`)
  assert.match(await page.textContent('h1'), /by service area/)
  await check(page, '24-home-areas')
  await ctx.close()
  const plain = await browser.newContext({ javaScriptEnabled: false })
  const p2 = await signIn(plain, 'repairs.officer')
  await p2.goto(`${base}/this-week`)
  assert.match(await p2.textContent('h1'), /This week/)
  await plain.close()
})

test('tables stack at 320 pixels: every column of a task can be read', async () => {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 640 } })
  const page = await signIn(ctx, 'link.officer')
  await page.goto(`${base}/home`)
  const row = page.locator('table.app-table--stack tbody tr').first()
  for (const label of ['Task', 'Case', 'Service area', 'Due', 'Status']) {
    const cell = row.locator(`td[data-label="${label}"]`)
    assert.ok(await cell.isVisible(), `${label} is shown`)
    const box = await cell.boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= 320, `${label} is within the screen: ${JSON.stringify(box)}`)
    // Each value says which column it is.
    const before = await cell.evaluate((td) => getComputedStyle(td, '::before').content)
    assert.equal(before, `"${label}: "`)
  }
  assert.match(await row.locator('td[data-label="Due"]').textContent(), /\d{4}/)
  assert.match(await row.locator('td[data-label="Status"]').textContent(), /\S/)
  // The same table is a table again on a desktop.
  await page.setViewportSize({ width: 1280, height: 800 })
  assert.equal(await row.evaluate((tr) => getComputedStyle(tr).display), 'table-row')
  await ctx.close()
})

test('the Brand page sets the organisation\'s name, colour and logo', async () => {
  const ctx = await browser.newContext()
  const page = await signIn(ctx, 'admin')
  let dialogs = 0
  page.on('dialog', async (d) => { dialogs++; await d.dismiss() })
  await page.goto(`${base}/admin`)
  await page.click('a:has-text("Change your organisation\'s name, colour and logo")')
  assert.match(await page.textContent('h1'), /Brand/)
  assert.equal(await page.inputValue('#colour'), '#1d70b8')
  await check(page, '25-brand')
  // Refused, each error beside its field, nothing saved.
  await page.fill('#name', '   ')
  await page.fill('#colour', '#ffdd00')
  await page.click('button:has-text("Save name and colour")')
  const summary = await page.textContent('.govuk-error-summary')
  assert.match(summary, /Enter the organisation's name/)
  assert.match(summary, /Choose a darker colour: white text on it must have a contrast of at least 4\.5 to 1/)
  assert.equal(await page.inputValue('#colour'), '#ffdd00')
  await check(page, '26-brand-errors')
  await page.fill('#name', 'Demo Borough Council')
  await page.fill('#colour', '#4C2C92')
  await page.click('button:has-text("Save name and colour")')
  assert.match(await page.textContent('.govuk-notification-banner'), /Brand saved/)
  const colour = () => page.$eval('.govuk-generic-header', (h) => getComputedStyle(h).backgroundColor)
  assert.equal(await colour(), 'rgb(76, 44, 146)')
  assert.equal(await page.getAttribute('meta[name="theme-color"]', 'content'), '#4c2c92')
  // Signed out, the sign-in page wears it too.
  const anon = await browser.newContext()
  const signin = await anon.newPage()
  await signin.goto(`${base}/sign-in`)
  assert.equal(await signin.$eval('.govuk-generic-header', (h) => getComputedStyle(h).backgroundColor), 'rgb(76, 44, 146)')
  assert.equal((await signin.textContent('.govuk-generic-header')).trim(), 'Demo Borough Council')
  await anon.close()

  // A file that is neither PNG nor SVG is refused with the reason.
  await page.setInputFiles('#logo', { name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') })
  await page.click('button:has-text("Upload logo")')
  assert.match(await page.textContent('.govuk-error-summary'), /The logo must be a PNG or SVG file/)
  assert.match(await page.textContent('#logo-error'), /PNG or SVG/)
  assert.doesNotMatch(page.url(), /csrf/, 'the address bar never shows the token')
  await page.click('button:has-text("Upload logo")')
  assert.match(await page.textContent('.govuk-error-summary'), /Choose a logo/)
  // An SVG logo, even one carrying a script, runs none.
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" viewBox="0 0 40 30">' +
    '<script>alert("logo")</script><rect width="40" height="30" rx="4" fill="#ffffff"/></svg>'
  await page.setInputFiles('#logo', { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) })
  await page.click('button:has-text("Upload logo")')
  assert.match(await page.textContent('.govuk-notification-banner'), /Logo saved/)
  const logo = page.locator('.govuk-generic-header img.app-brand-header__logo')
  assert.ok(await logo.isVisible())
  assert.ok(await logo.evaluate((img) => img.complete && img.naturalWidth > 0), 'the logo loads')
  await check(page, '27-brand-logo')
  const served = await page.goto(`${base}/brand/logo`)
  assert.equal(served.headers()['content-type'], 'image/svg+xml')
  assert.match(served.headers()['content-security-policy'], /sandbox/)
  assert.match(served.headers()['content-security-policy'], /default-src 'none'/)
  assert.equal(served.headers()['x-content-type-options'], 'nosniff')
  await page.waitForTimeout(200)
  assert.equal(dialogs, 0, 'the SVG\'s script did not run')
  // Back as it was: no logo, GOV.UK Frontend's blue.
  await page.goto(`${base}/admin/brand`)
  await page.click('button:has-text("Remove the logo")')
  assert.match(await page.textContent('.govuk-notification-banner'), /Logo removed/)
  assert.equal(await logo.count(), 0)
  assert.equal((await page.request.get(`${base}/brand/logo`)).status(), 404)
  // An upload without the page's token keeps nothing.
  const forged = await page.request.post(`${base}/admin/brand/logo`, {
    multipart: { logo: { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) } }
  })
  assert.equal(forged.status(), 403)
  assert.equal((await page.request.get(`${base}/brand/logo`)).status(), 404)
  await page.fill('#colour', '#1d70b8')
  await page.click('button:has-text("Save name and colour")')
  assert.equal(await colour(), 'rgb(29, 112, 184)')
  await ctx.close()
  // Only an administrator may change it.
  const lo = await browser.newContext()
  const other = await signIn(lo, 'link.officer')
  assert.equal((await other.goto(`${base}/admin/brand`)).status(), 403)
  await lo.close()
})

test('every page was checked', () => {
  assert.ok(checked.size >= 27, `${checked.size} pages checked`)
  writeFileSync(join(artifacts, 'pages.txt'), [...checked].join('\n') + '\n')
})
