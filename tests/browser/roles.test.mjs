// Each role's everyday job on the case, task and file pages, through the
// UI only (issue 16): the link officer from a notification for a complaint
// not yet in Linkdesk to a closed case, by keyboard alone for the link
// officer's steps; the service officer from My tasks to an answer
// submitted again after a return; all three validators signing; register
// and record with JavaScript off; axe on each page at desktop width and at
// 320 pixels (support.mjs's check).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { check, password, signIn, start } from './support.mjs'

let base, browser, stop

before(async () => {
  ({ base, browser, stop } = await start())
})

after(async () => {
  await stop?.()
})

// Press Tab until the selector has the focus: keyboard only.
async function tabTo (page, selector) {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`could not reach ${selector} by keyboard`)
}

// Type into a field reached by Tab.
async function typeInto (page, selector, text) {
  await tabTo(page, selector)
  await page.keyboard.type(text)
}

// Choose an option of a select reached by Tab, by typing its first letters.
async function chooseIn (page, selector, label) {
  await tabTo(page, selector)
  await page.keyboard.type(label)
  const chosen = await page.$eval(selector, (s) => s.options[s.selectedIndex].textContent.trim())
  assert.ok(chosen.startsWith(label), `${selector}: ${chosen}, want ${label}`)
}

// Choose a radio by keyboard: Tab into its group, arrows to the one.
async function radio (page, name, id) {
  await tabTo(page, `input[name="${name}"]`)
  for (let i = 0; i < 10; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), `#${id}`)) break
    await page.keyboard.press('ArrowDown')
  }
  await page.keyboard.press('Space')
  assert.ok(await page.isChecked(`#${id}`), `${id} chosen by keyboard`)
}

// Press a button or link reached by Tab, and wait for the next page.
async function press (page, selector, url) {
  await tabTo(page, selector)
  await Promise.all([page.waitForURL(url), page.keyboard.press('Enter')])
}

async function keyboardSignIn (context, who) {
  const page = await context.newPage()
  await page.goto(`${base}/sign-in`)
  await typeInto(page, '#email', `${who}@demo.linkdesk.test`)
  await typeInto(page, '#password', password)
  await page.keyboard.press('Enter')
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'))
  return page
}

const pdf = (text) => ({ name: `${text}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`) })

test('the link officer from a new complaint to a closed case, with the service officer and the validators', async () => {
  const lo = await browser.newContext()
  let page = await keyboardSignIn(lo, 'link.officer')

  // A notification for a complaint not yet in Linkdesk.
  await page.goto(`${base}/cases/new`)
  await radio(page, 'complaint_choice', 'complaint_choice-new')
  await typeInto(page, '#complaint_reference', 'CMP-2026-0777')
  await typeInto(page, '#complaint_category', 'Damp and mould')
  await chooseIn(page, '#complaint_area', 'Repairs')
  await typeInto(page, '#complaint_received_on-day', '2')
  await typeInto(page, '#complaint_received_on-month', '6')
  await typeInto(page, '#complaint_received_on-year', '2026')
  await typeInto(page, '#resident_name', 'Ottoline Brackenbury')
  await check(page, 'r01-register-new-complaint')
  await radio(page, 'ombudsman', 'ombudsman-HOS')
  await typeInto(page, '#reference', '2026-77701')
  await press(page, 'main form[method="post"] button.govuk-button', /\/cases\/\d+\?done=notification/)
  assert.match(await page.textContent('.govuk-notification-banner'), /Notification registered\./)
  assert.match(await page.textContent('#next-step'), /Record the Ombudsman's information or evidence request/)
  await check(page, 'r02-case-new')
  const caseUrl = page.url().replace(/\?.*$/, '')

  // The evidence request: its area follows the complaint's.
  await press(page, 'a[href*="kind=information_request"]', /kind=information_request/)
  assert.match(await page.$eval('#service_area_id', (s) => s.options[s.selectedIndex].textContent), /Repairs/)
  await typeInto(page, '#title', 'Damp survey and repair history')
  await press(page, 'main form[method="post"] button.govuk-button', /done=information_request/)
  assert.match(await page.textContent('.govuk-notification-banner'), /Information request recorded\./)
  assert.match(await page.textContent('main'), /Investigation/)
  assert.match(await page.textContent('#next-step'), /The service area/)
  assert.match(await page.textContent('#next-step'), /Monday 14 December 2026/)
  await check(page, 'r03-case-investigation')
  const taskHref = await page.getAttribute('a:has-text("Damp survey and repair history")', 'href')
  // The complaint's dates and its resident's details, on their page.
  await page.goto(`${caseUrl}/complaint`)
  await check(page, 'r03b-complaint')

  // Reassign to a named officer, and remind now.
  await page.goto(base + taskHref)
  await chooseIn(page, '#assignee_id', 'Dan Price')
  await chooseIn(page, '#priority', 'High')
  await press(page, '#change-task', /done=updated/)
  assert.match(await page.textContent('main'), /Dan Price/)
  assert.match(await page.textContent('main'), /High priority/)
  await press(page, '#remind-now', /done=reminded/)
  assert.match(await page.textContent('main'), /Reminders sent: 1/)
  await check(page, 'r04-task-link-officer')

  // A 1st chaser (with an extension to the date): the task shows it.
  await page.goto(caseUrl)
  await press(page, 'a[href*="kind=first_chaser"]', /kind=first_chaser/)
  await typeInto(page, '#revised_due_on-day', '21')
  await typeInto(page, '#revised_due_on-month', '12')
  await typeInto(page, '#revised_due_on-year', '2026')
  await press(page, 'main form[method="post"] button.govuk-button', /done=first_chaser/)
  await page.goto(base + taskHref)
  assert.match(await page.textContent('main'), /1st chaser/)
  assert.match(await page.textContent('main'), /Monday 21 December 2026/)

  // The service officer answers; a validator returns it; they answer again.
  const so = await browser.newContext()
  page = await signIn(base, so, 'repairs.officer')
  assert.match(page.url(), /\/my-tasks$/)
  assert.match(await page.textContent('main'), /High priority/)
  await page.click('a:has-text("Damp survey and repair history")')
  await page.setInputFiles('#file', pdf('damp-survey'))
  await page.click('button:has-text("Upload file")')
  assert.match(await page.textContent('.govuk-notification-banner'), /File uploaded\./)
  assert.match(await page.textContent('main'), /Technical details/)
  await page.fill('#answer', 'Survey attached.')
  await page.click('#submit-answer')
  await page.waitForURL(/done=submit/)
  assert.match(await page.textContent('.govuk-notification-banner'), /submitted for validation/)

  const v1 = await browser.newContext()
  page = await signIn(base, v1, 'ad.resident.contacts')
  await page.click('a:has-text("Damp survey and repair history")')
  assert.match(await page.textContent('#current-answer'), /version 1/)
  assert.match(await page.textContent('main'), /Submitted by Dan Price/)
  await page.fill('#comment', 'Add the repair history too.')
  await page.click('button:has-text("Return with comment")')
  await page.waitForURL(/done=return/)
  await check(page, 'r05-task-returned-by-validator')

  page = await so.newPage()
  await page.goto(`${base}/my-tasks`)
  assert.match(await page.textContent('main'), /Returned/)
  assert.match(await page.textContent('main'), /Add the repair history too\./)
  await check(page, 'r06-my-tasks-returned')
  await page.click('a:has-text("Damp survey and repair history")')
  assert.equal(await page.inputValue('#answer'), 'Survey attached.')
  await page.setInputFiles('#file', pdf('repair-history'))
  await page.click('button:has-text("Upload file")')
  await page.fill('#answer', 'Survey and repair history attached.')
  await page.click('#submit-answer')
  await page.waitForURL(/done=submit/)

  // All three validators sign version 2, seeing it first.
  for (const v of ['ad.resident.contacts', 'head.disputes', 'rx.manager']) {
    const ctx = await browser.newContext()
    page = await signIn(base, ctx, v)
    await page.click('a:has-text("Damp survey and repair history")')
    assert.match(await page.textContent('#current-answer'), /version 2/)
    assert.match(await page.textContent('main'), /Survey and repair history attached\./)
    if (v === 'head.disputes') await check(page, 'r07-task-validator')
    await page.click('button:has-text("Approve")')
    await page.waitForURL(/done=approve/)
    assert.match(await page.textContent('.govuk-notification-banner'), /Your sign-off was recorded\./)
    await ctx.close()
  }
  await v1.close()
  await so.close()

  // The link officer records it sent and done, by keyboard.
  page = await lo.newPage()
  await page.goto(base + taskHref)
  await press(page, 'button[value="send"]', /done=send/)
  assert.match(await page.textContent('.govuk-notification-banner'), /Evidence recorded as sent/)
  await press(page, 'button[value="complete"]', /done=complete/)

  // The determination with an order: its area defaults to the case's.
  await page.goto(caseUrl)
  await press(page, 'a[href$="/determination"]', /\/determination$/)
  await check(page, 'r07b-determination')
  await typeInto(page, '#element-1', 'Handling of the damp reports')
  await chooseIn(page, '#finding-1', 'Maladministration')
  await typeInto(page, '#description-1', 'Apologise to the resident')
  await chooseIn(page, '#kind-1', 'Apology')
  assert.match(await page.$eval('#area-1', (s) => s.options[s.selectedIndex].textContent), /Repairs/)
  await press(page, 'main form[method="post"] button.govuk-button', /done=determination/)
  assert.match(await page.textContent('.govuk-notification-banner'), /Final determination registered\./)

  // The Ombudsman confirms the order is met; then the case closes with
  // the outcome chosen.
  await press(page, 'a[href*="kind=orders_confirmed"]', /kind=orders_confirmed/)
  await press(page, 'main form[method="post"] button.govuk-button', /done=orders_confirmed/)
  assert.match(await page.textContent('#next-step'), /Close the case/)
  await chooseIn(page, '#outcome', 'Orders satisfied')
  await press(page, '#close-case', /done=closed/)
  assert.match(await page.textContent('.govuk-notification-banner'), /Case closed\./)
  assert.match(await page.textContent('main'), /Outcome: Orders satisfied/)
  assert.match(await page.textContent('#next-step'), /Nothing: the case is closed\./)
  await check(page, 'r08-case-closed')
  await lo.close()
})

test('cancelling asks why, and the pages work with JavaScript off', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false })
  let page = await signIn(base, ctx, 'link.officer')
  await page.goto(`${base}/cases/new`)
  // Every field of the new complaint shows without JavaScript.
  assert.ok(await page.isVisible('#complaint_reference'))
  await page.check('#complaint_choice-new')
  await page.fill('#complaint_reference', 'CMP-2026-0778')
  await page.fill('#complaint_category', 'Repairs')
  await page.selectOption('#complaint_area', { label: 'Repairs and Maintenance' })
  await page.fill('#complaint_received_on-day', '3')
  await page.fill('#complaint_received_on-month', '6')
  await page.fill('#complaint_received_on-year', '2026')
  await page.check('#ombudsman-HOS')
  await page.fill('#reference', '2026-77702')
  await page.click('button:has-text("Register")')
  await page.waitForURL(/done=notification/)
  assert.match(await page.textContent('.govuk-notification-banner'), /Notification registered\./)
  await page.click('a:has-text("An information or evidence request")')
  await page.fill('#title', 'Gas safety certificate')
  await page.click('button:has-text("Record")')
  await page.waitForURL(/done=information_request/)
  assert.match(await page.textContent('main'), /Gas safety certificate/)
  const taskHref = await page.getAttribute('a:has-text("Gas safety certificate")', 'href')
  await ctx.close()

  // The rest with JavaScript on, so that axe can run.
  const lo = await browser.newContext()
  page = await signIn(base, lo, 'link.officer')
  await page.goto(base + taskHref)

  // No file chosen: said beside the file field; the token never in the
  // address.
  await page.click('button:has-text("Upload file")')
  assert.match(await page.textContent('#file-error'), /Choose a file to upload/)
  assert.doesNotMatch(page.url(), /csrf/)
  await check(page, 'r10-upload-refused')

  await page.click('#cancel-task')
  assert.match(await page.textContent('main'), /Why is the task cancelled\?/)
  await page.click('#confirm-cancel')
  assert.match(await page.textContent('.govuk-error-summary'), /say why the task is cancelled/i)
  await check(page, 'r11-cancel-refused')
  await page.fill('#reason', 'The Ombudsman withdrew the request.')
  await page.click('#confirm-cancel')
  await page.waitForURL(/done=cancel/)
  assert.match(await page.textContent('main'), /Cancelled/)
  assert.match(await page.textContent('main'), /The Ombudsman withdrew the request\./)
  await page.goto(`${base}/this-week`)
  assert.match(await page.textContent('h1'), /This week/)
  await check(page, 'r12-this-week')
  await lo.close()
})
