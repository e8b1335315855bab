/**
 * Heartbeat : la page se remplit en direct. Il faut un heartbeat branché sur le simulateur
 * accéléré (scripts/e2e.sh lance `run_exchange_simulator --speed 60` : une minute par seconde),
 * pour voir des bougies 1m clôturées et des signaux en quelques secondes.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, ensureLoggedIn, launchBrowser, newPage, openMenuPage, screenshotContent, setPageTheme } from './helpers.mjs'

const TIMEFRAMES = ['1m', '3m', '5m', '10m', '15m', '1h', '2h', '4h']
const STAMP = /^\d{2}\.\d{2}\.\d{2}_\d{2}:\d{2}$/
const LIVE_TIMEOUT = 45_000

let browser
let page

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page)
  await openMenuPage(page, MENU_PAGES[0])
})

after(async () => {
  await browser?.close()
})

test('les 8 cases de timeframe sont présentes, dans l’ordre', { timeout: 20_000 }, async () => {
  const labels = await page.locator('[data-testid^="signal-box-"] .signal-box__tf').allInnerTexts()
  assert.deepEqual(labels.map((l) => l.trim()), TIMEFRAMES)
})

test('le flux brut Binance arrive en direct, bougies clôturées en vert', { timeout: LIVE_TIMEOUT + 15_000 }, async () => {
  const lines = page.locator('[data-testid="raw-line"]')
  await lines.first().waitFor({ timeout: LIVE_TIMEOUT })
  assert.match(await lines.first().innerText(), /BTCUSDT/)

  const closed = page.locator('[data-testid="raw-line"][data-closed]').first()
  await closed.waitFor({ timeout: LIVE_TIMEOUT })
  assert.match(await closed.innerText(), /CLÔTURE/)
  const [closedColor, successColor] = await closed.evaluate((el) => [
    getComputedStyle(el).color,
    getComputedStyle(document.body).getPropertyValue('--color-success').trim(),
  ])
  const toRgb = (hex) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`
  assert.equal(closedColor, toRgb(successColor), 'une bougie clôturée s’affiche en vert (token success)')
  assert.ok((await lines.count()) <= 200, 'la liste reste bornée')
})

test('un signal 1m apparaît en direct au format AA.MM.JJ_HH:MM', { timeout: LIVE_TIMEOUT + 15_000 }, async () => {
  const item = page.locator('[data-testid="signal-box-1m"] [data-testid="signal-item"]').first()
  await item.waitFor({ timeout: LIVE_TIMEOUT })
  const stamp = (await item.locator('.signal-box__stamp').innerText()).trim()
  assert.match(stamp, STAMP)
  await screenshotContent(page, 'heartbeat-dark-live')
})

test('pause : la liste se fige, puis reprend', { timeout: 30_000 }, async () => {
  const first = page.locator('[data-testid="raw-line"]').first()
  await page.click('[data-testid="raw-pause"]')
  await page.locator('text=Flux en pause').waitFor()
  const frozen = await first.innerText()
  await page.waitForTimeout(1500)
  assert.equal(await first.innerText(), frozen, 'aucune nouvelle ligne pendant la pause')

  await page.click('[data-testid="raw-pause"]')
  await page.locator('text=Flux en pause').waitFor({ state: 'detached' })
  await page.waitForFunction(
    (previous) => document.querySelector('[data-testid="raw-line"]')?.innerText !== previous,
    frozen,
    { timeout: 20_000 },
  )
})

test('l’historique des signaux est relu depuis la base au rechargement', { timeout: LIVE_TIMEOUT + 15_000 }, async () => {
  await page.reload()
  await page.locator('h1', { hasText: 'Heartbeat' }).waitFor()
  // La relecture HTTP doit réussir (pas de message d'erreur) et remplir la case 1m.
  await page.locator('[data-testid="signals-loading"]').waitFor({ state: 'detached', timeout: 15_000 })
  await page.locator('[data-testid="signal-box-1m"] [data-testid="signal-item"]').first().waitFor({ timeout: LIVE_TIMEOUT })
  assert.equal(await page.locator('[data-testid="signals-error"]').count(), 0, 'GET /api/heartbeat/signals/ répond')
  await setPageTheme(page, 'light')
  await screenshotContent(page, 'heartbeat-light-live')
  await setPageTheme(page, 'dark')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})
