// Each role's home page on the demo, for the README: `make screenshots`
// (scripts/screenshots.sh starts a demo server and runs this) signs in as
// each role and saves docs/screenshots/ROLE.png, 1280 pixels wide.
//   node tests/browser/screenshots.mjs BASE_URL OUT_DIR
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { signIn } from './support.mjs'

const [base, out] = process.argv.slice(2)
if (!base || !out) {
  console.error('usage: node tests/browser/screenshots.mjs BASE_URL OUT_DIR')
  process.exit(2)
}
// The demo's people (sql/demo.sql), one for each role, and where each lands.
const roles = [
  ['link-officer', 'link.officer', '/home'],
  ['service-area-officer', 'repairs.officer', '/my-tasks'],
  ['validator', 'ad.resident.contacts', '/validation'],
  ['leadership', 'director', '/leadership'],
  ['administrator', 'admin', '/admin']
]

mkdirSync(out, { recursive: true })
const browser = await chromium.launch({
  executablePath: process.env.LINKDESK_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync']
})
try {
  for (const [name, who, home] of roles) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await signIn(base, context, who)
    const landed = new URL(page.url()).pathname
    if (landed !== home) throw new Error(`${who} landed on ${landed}, not ${home}`)
    // The whole page, up to 1,200 pixels of it: the README's picture.
    const height = Math.min(1200, await page.evaluate(() => document.documentElement.scrollHeight))
    const file = join(out, `${name}.png`)
    await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 1280, height }, fullPage: true })
    console.log(`${file}: ${who}'s ${home}`)
    await context.close()
  }
} finally {
  await browser.close()
}
