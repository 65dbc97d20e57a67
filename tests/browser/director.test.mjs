// The director's job in a real browser, through the pages only: the
// performance figures for a quarter, narrowed to one Ombudsman; a figure
// followed to the cases behind it (as many rows as the figure says) and
// those rows as a spreadsheet; the figures as CSV with words for columns;
// and the annual report.  axe on each page, wide and at 320 pixels.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { check, signIn, start } from './support.mjs'

let run
before(async () => { run = await start() })
after(async () => { await run?.stop() })

test('the director reads the figures, follows one to its cases, exports and reads the annual report', async () => {
  const context = await run.browser.newContext({ acceptDownloads: true })
  const page = await signIn(run.base, context, 'director')
  assert.match(new URL(page.url()).pathname, /^\/leadership$/)
  await check(page, 'director-01-performance')

  // One Ombudsman, one quarter: the page says which, and keeps the choice.
  await page.fill('#period', '2026-Q2')
  await page.selectOption('#ombudsman', 'HOS')
  await page.click('button:has-text("Show")')
  const url = new URL(page.url())
  assert.equal(url.searchParams.get('ombudsman'), 'HOS')
  assert.equal(url.searchParams.get('period'), '2026-Q2')
  assert.equal(await page.$eval('#ombudsman', (s) => s.value), 'HOS')
  assert.equal(await page.locator('text=own measures').count(), 0)
  await check(page, 'director-02-performance-hos')

  // The first figure with cases behind it: its rows are its number.
  const link = page.locator('table.app-figures td a').filter({ hasText: /^[1-9][0-9]*/ }).first()
  const shown = parseInt(await link.textContent(), 10)
  await link.click()
  assert.match(new URL(page.url()).pathname, /^\/leadership\/cases$/)
  assert.equal(new URL(page.url()).searchParams.get('ombudsman'), 'HOS')
  const rows = await page.locator('table.app-figures tbody tr').count()
  assert.equal(rows, shown, 'as many rows as the figure')
  await check(page, 'director-03-cases-behind')
  const [sheet] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a:has-text("These rows as a spreadsheet")')
  ])
  assert.match(sheet.suggestedFilename(), /\.xlsx$/)
  assert.doesNotMatch(sheet.suggestedFilename(), /[A-Z][a-z]+ [A-Z][a-z]+/, 'no one named in the file name')

  // The figures as CSV: words for the columns, the narrowing kept.
  await page.click('a:has-text("Back to the figures")')
  assert.equal(new URL(page.url()).searchParams.get('ombudsman'), 'HOS')
  const csvHref = await page.getAttribute('a:has-text("as CSV")', 'href')
  const csv = await context.request.get(new URL(csvHref, run.base).href)
  assert.equal(csv.status(), 200)
  assert.match(csvHref, /ombudsman=HOS/)
  assert.match(csv.headers()['content-type'], /^text\/csv/)
  const head = (await csv.text()).split(/\r?\n/)[0]
  assert.doesNotMatch(head, /_/, `column names in words: ${head}`)

  // The annual report, from its link.
  await page.goto(`${run.base}/leadership?period=2026-Q2`)
  await page.click('a:has-text("The annual report for")')
  assert.match(new URL(page.url()).pathname, /^\/reports\/annual$/)
  assert.match(await page.textContent('h1'), /annual|report/i)
  await check(page, 'director-04-annual-report')
  await context.close()
})
