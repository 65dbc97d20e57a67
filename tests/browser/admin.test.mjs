// The administrator's job in a real browser, through the pages only: a
// validator added with the title they sign off as (after a refusal that
// keeps every field), who then signs in to their validation home; a
// service area added with its head of service, then changed; a failed
// message sent again; a user deactivated; and everyone's account page
// (an API token made, shown once, revoked).  axe on every new page, wide
// and at 320 pixels.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { check, password, signIn, start } from './support.mjs'

let run
before(async () => { run = await start() })
after(async () => { await run?.stop() })

const stamp = `${process.pid}-${Date.now() % 100000}`

// A message the mailer gave up on, as the outbox keeps one (the test's
// only step outside the pages: no SMTP server here is made to fail).
function failedMessage (subject) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', process.env.LINKDESK_DATABASE_URL, '-c',
    `INSERT INTO outbox (kind, recipient, subject, body, status, attempts, last_error)
     VALUES ('notice', 'head.repairs@demo.linkdesk.test', '${subject}', 'x', 'failed', 8,
     'SMTP server refused the recipient: 550 mailbox unavailable')`])
}

test('the administrator adds a validator with a title, who then validates', async () => {
  const context = await run.browser.newContext()
  const page = await signIn(run.base, context, 'admin')
  assert.match(new URL(page.url()).pathname, /^\/admin$/)
  await check(page, 'admin-01-administration')

  await page.click('a:has-text("Add a user")')
  assert.match(await page.textContent('h1'), /Add a user/)
  await check(page, 'admin-02-add-user')
  // No name, a short password: both at once, and the role and title kept.
  await page.fill('#email', `vera-${stamp}@demo.linkdesk.test`)
  await page.check('label:has-text("Validator")')
  await page.selectOption('#validator_title_id', { label: 'Head of Dispute Resolutions' })
  await page.fill('#password', 'short')
  await page.click('button:has-text("Add user")')
  const summary = await page.textContent('.govuk-error-summary')
  assert.match(summary, /Enter the user.s full name/)
  assert.match(summary, /at least 12 characters/)
  assert.ok(await page.isChecked('input[name="role"][value="validator"]'), 'the role is kept')
  assert.ok(!await page.isChecked('input[name="role"][value="service_officer"]'))
  assert.equal(await page.$eval('#validator_title_id', (s) => s.selectedOptions[0].textContent),
    'Head of Dispute Resolutions')
  assert.equal(await page.inputValue('#email'), `vera-${stamp}@demo.linkdesk.test`)
  await check(page, 'admin-03-add-user-refused')
  await page.click('.govuk-error-summary a:has-text("full name")')
  assert.equal(await page.evaluate(() => document.activeElement.id), 'name')

  await page.fill('#name', `Vera Lidator ${stamp}`)
  await page.fill('#password', password)
  await page.click('button:has-text("Add user")')
  assert.match(await page.textContent('.govuk-notification-banner'), /User added/)
  const row = page.locator('#users-table tr', { hasText: `Vera Lidator ${stamp}` })
  assert.match(await row.textContent(), /Validator/)
  assert.match(await row.textContent(), /Head of Dispute Resolutions/)
  assert.doesNotMatch(await page.textContent('main'), /service_officer|slt_director|link_officer/)

  const vcontext = await run.browser.newContext()
  const home = await signIn(run.base, vcontext, `vera-${stamp}`)
  assert.match(new URL(home.url()).pathname, /^\/validation$/)
  assert.doesNotMatch(await home.textContent('main'), /no validator title/)
  await vcontext.close()

  // Changed, then deactivated: a validator no more.
  await row.locator('a:has-text("Change")').click()
  assert.match(await page.textContent('h1'), /Change Vera Lidator/)
  await check(page, 'admin-04-change-user')
  await page.check('label:has-text("Link officer")')
  await page.click('button:has-text("Save changes")')
  assert.match(await page.textContent('.govuk-notification-banner'), /saved/)
  assert.match(await page.locator('#users-table tr', { hasText: `Vera Lidator ${stamp}` }).textContent(),
    /Link officer, Validator|Validator, Link officer/)
  await page.locator('#users-table tr', { hasText: `Vera Lidator ${stamp}` }).locator('a:has-text("Change")').click()
  await page.click('button:has-text("Deactivate user")')
  assert.match(await page.textContent('.govuk-notification-banner'), /deactivated/)
  assert.match(await page.locator('#users-table tr', { hasText: `Vera Lidator ${stamp}` }).textContent(), /Deactivated/)
  await context.close()
})

test('the administrator adds a service area with its head of service', async () => {
  const context = await run.browser.newContext()
  const page = await signIn(run.base, context, 'admin')
  const name = `Estates ${stamp}`
  await page.click('button:has-text("Add service area")')
  assert.match(await page.textContent('.govuk-error-summary'), /Enter the service area.s name/)
  await page.fill('#area_name', name)
  await page.selectOption('#head_of_service_id', { label: 'Grace Mensah' })
  await page.click('button:has-text("Add service area")')
  assert.match(await page.textContent('.govuk-notification-banner'), /Service area added/)
  const row = page.locator('#areas-table tr', { hasText: name })
  assert.match(await row.textContent(), /Grace Mensah/)
  await row.locator('a:has-text("Change")').click()
  await check(page, 'admin-05-change-area')
  await page.fill('#area_name', `${name} and Facilities`)
  await page.selectOption('#slt_director_id', { label: 'James Ward' })
  await page.check('label:has-text("Every working day")')
  await page.click('button:has-text("Save changes")')
  const saved = page.locator('#areas-table tr', { hasText: `${name} and Facilities` })
  assert.match(await saved.textContent(), /Grace Mensah/)
  assert.match(await saved.textContent(), /James Ward/)
  assert.match(await saved.textContent(), /Daily/)
  await context.close()
})

test('the administrator sends a failed message again', async () => {
  const subject = `Final chaser ${stamp}`
  failedMessage(subject)
  const context = await run.browser.newContext()
  const page = await signIn(run.base, context, 'admin')
  const row = page.locator('#failed-mail-table tr', { hasText: subject })
  assert.match(await row.textContent(), /550 mailbox unavailable/)
  await row.locator('button:has-text("Send again")').click()
  assert.match(await page.textContent('.govuk-notification-banner'), /sent again/)
  assert.equal(await page.locator('tr', { hasText: subject }).count(), 0)
  await context.close()
})

test('a user makes an API token, sees it once, and revokes it', async () => {
  const context = await run.browser.newContext()
  const page = await signIn(run.base, context, 'repairs.officer')
  await page.goto(`${run.base}/account`)
  assert.match(await page.textContent('main'), /Service-area officer/)
  assert.match(await page.textContent('main'), /This session/)
  await check(page, 'account-01')
  await page.click('button:has-text("Create token")')
  assert.match(await page.textContent('.govuk-error-summary'), /Enter a name for the token/)
  await page.fill('#token_name', `Report script ${stamp}`)
  await page.fill('#expires_in_days', '30')
  await page.click('button:has-text("Create token")')
  const token = (await page.textContent('#new-token')).trim()
  assert.ok(token.length >= 32, 'the token is shown')
  assert.ok(!page.url().includes(token), 'never in the address')
  await check(page, 'account-02-token-made')
  const me = await fetch(`${run.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(me.status, 200)
  await page.goto(`${run.base}/account`)
  assert.ok(!(await page.content()).includes(token), 'shown only once')
  await page.locator('tr', { hasText: `Report script ${stamp}` }).locator('button:has-text("Revoke")').click()
  assert.match(await page.textContent('.govuk-notification-banner'), /revoked/)
  const after = await fetch(`${run.base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })
  assert.equal(after.status, 401)
  await context.close()
})

test('the administrator chooses who holds a position and who is told of what', async () => {
  const context = await run.browser.newContext()
  const page = await signIn(run.base, context, 'admin')
  await page.selectOption('#holder-monitoring_officer', { label: 'Helen Carter' })
  await page.click('button:has-text("Save who holds Monitoring Officer")')
  assert.match(await page.textContent('.govuk-notification-banner'), /holder has been saved/)
  assert.equal(await page.$eval('#holder-monitoring_officer', (s) => s.selectedOptions[0].textContent),
    'Helen Carter')

  const address = `complaints-${stamp}@example.org`
  await page.selectOption('#event', { label: 'Final chaser' })
  await page.check('label:has-text("An email address")')
  await page.fill('#address', 'not an address')
  await page.click('form[action="/admin/recipients"] button:has-text("Add")')
  assert.match(await page.textContent('.govuk-error-summary'), /Enter an email address in the correct format/)
  assert.equal(await page.inputValue('#address'), 'not an address')
  assert.ok(await page.isChecked('input[name="kind"][value="address"]'), 'the choice is kept')
  await check(page, 'admin-06-who-is-told-refused')
  await page.fill('#address', address)
  await page.click('form[action="/admin/recipients"] button:has-text("Add")')
  assert.match(await page.textContent('.govuk-notification-banner'), /Added to who is told/)
  const row = page.locator('#recipients ~ table tr', { hasText: address })
  assert.match(await row.textContent(), /Final chaser/)
  await row.locator('button:has-text("Remove")').click()
  assert.match(await page.textContent('.govuk-notification-banner'), /Removed from who is told/)
  assert.equal(await page.locator('tr', { hasText: address }).count(), 0)

  await page.selectOption('#holder-monitoring_officer', { label: 'Nobody' })
  await page.click('button:has-text("Save who holds Monitoring Officer")')
  await context.close()
})
