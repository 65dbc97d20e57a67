// This week printed (issue 16): the Monday list on paper is the page's
// content alone, without the header, its navigation, the footer or forms,
// and every row of every table is there, a row of its table (never a
// stacked card, however narrow the paper).  axe wide and at 320 pixels on
// screen first.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { check, signIn, start } from './support.mjs'

let run
before(async () => { run = await start() })
after(async () => { await run?.stop() })

// What of the page shows: the chrome, and each table row's display.
function seen (page) {
  return page.evaluate(() => {
    const shown = (el) => !!el && getComputedStyle(el).display !== 'none' &&
      el.getBoundingClientRect().height > 0
    const rows = [...document.querySelectorAll('main table tbody tr')]
    return {
      header: shown(document.querySelector('.govuk-template__header')),
      nav: shown(document.querySelector('nav[aria-label="Menu"]')),
      footer: shown(document.querySelector('.govuk-footer')),
      signOut: shown(document.querySelector('.app-user-bar')),
      rows: rows.length,
      rowsShown: rows.filter(shown).length,
      rowsAsRows: rows.filter((r) => getComputedStyle(r).display === 'table-row').length,
      headings: [...document.querySelectorAll('main table thead')].filter(shown).length,
      tables: document.querySelectorAll('main table').length
    }
  })
}

test('This week prints as its list alone, every row a row', async () => {
  const context = await run.browser.newContext()
  const page = await signIn(run.base, context, 'link.officer')
  await page.goto(`${run.base}/this-week`)
  assert.match(await page.textContent('h1'), /This week/)
  await check(page, 'this-week')
  const screen = await seen(page)
  assert.ok(screen.rows > 0, 'the demo has tasks on This week')
  assert.ok(screen.header && screen.nav && screen.footer, 'on screen the header, menu and footer show')

  await page.emulateMedia({ media: 'print' })
  for (const width of [1000, 320]) {
    await page.setViewportSize({ width, height: 800 })
    const paper = await seen(page)
    assert.equal(paper.header, false, `printed at ${width} px: no header`)
    assert.equal(paper.nav, false, `printed at ${width} px: no menu`)
    assert.equal(paper.footer, false, `printed at ${width} px: no footer`)
    assert.equal(paper.signOut, false, `printed at ${width} px: no sign-out bar`)
    assert.equal(paper.rows, screen.rows, `printed at ${width} px: the same rows`)
    assert.equal(paper.rowsShown, screen.rows, `printed at ${width} px: every row shows`)
    assert.equal(paper.rowsAsRows, screen.rows, `printed at ${width} px: no row stacked as a card`)
    assert.equal(paper.headings, paper.tables, `printed at ${width} px: each table keeps its headings`)
  }
  await page.emulateMedia({ media: 'screen' })
  await context.close()
})
