/**
 * Trading papier de bout en bout : broker papier créé dans Mon Compte (sans clés, soldes de départ),
 * pastille PAPIER (ligne du broker, barre de statut, Trading manuel, journal des trades), achat au
 * marché sur les prix du simulateur, son solde relevé dans « Évolution globale du solde » (Statistiques),
 * puis « Réinitialiser » confirmé qui rend les soldes de départ.
 * Aussi à 390 px (téléphone) : la pastille reste visible. Le backend doit viser le simulateur
 * (scripts/e2e.sh le fait).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, apiCall, ensureLoggedIn, launchBrowser, loadPairs, newPage, openMenuPage, screenshotContent } from './helpers.mjs'

const BROKER_NAME = `E2E Papier ${Date.now().toString(36)}`
const ACCOUNT = MENU_PAGES.find((p) => p.slug === 'mon-compte')
const TRADING = MENU_PAGES.find((p) => p.slug === 'trading-manuel')

let browser
let page
let broker = null

const api = (method, path, body) => apiCall(page, method, path, body)
const row = () => page.locator(`[data-testid="broker-row-${BROKER_NAME}"]`)
const modal = () => page.locator('[data-testid="broker-modal"]')
const portfolioRow = (asset) => page.locator(`[data-testid="portfolio-row-${asset}"]`)

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page)
})

after(async () => {
  if (broker) await api('DELETE', `/api/brokers/${broker.id}/`).catch(() => null)
  await browser?.close()
})

test('Mon Compte : un broker papier se crée sans clés, avec ses soldes de départ', { timeout: 60_000 }, async () => {
  await openMenuPage(page, ACCOUNT)
  await page.click('[data-testid="add-broker"]')
  await modal().locator('select[name="exchange"] option[value="binance"]').waitFor({ state: 'attached' })
  await modal().locator('select[name="exchange"]').selectOption('binance')
  await page.click('[data-testid="paper-switch"]')
  assert.equal(await modal().locator('input[name="api_key"]').count(), 0, 'pas de clé API pour un broker papier')
  await modal().locator('input[name="name"]').fill(BROKER_NAME)
  await modal().locator('[data-testid="paper-balances"]').fill('abc')
  await page.click('[data-testid="broker-save"]')
  await modal().getByText('illisible').waitFor()
  await modal().locator('[data-testid="paper-balances"]').fill('10000 USDT')
  await page.click('[data-testid="broker-save"]')
  await modal().waitFor({ state: 'detached', timeout: 30_000 })

  await row().locator('[data-testid="paper-badge"]').waitFor()
  assert.match(await row().locator('[data-testid="paper-start"]').innerText(), /10\s000 USDT/)
  const listed = await api('GET', '/api/brokers/')
  broker = listed.data.find((b) => b.name === BROKER_NAME)
  assert.ok(broker, 'le broker papier est enregistré')
  assert.deepEqual([broker.is_paper, broker.venue, broker.paper_balances], [true, 'paper', { USDT: '10000' }])
  // La barre de statut annonce le papier dès que ses types de comptes en comptent un.
  const status = await api('GET', '/api/status/')
  if (status.data.venues.includes('paper')) await page.locator('[data-testid="status-paper"]').waitFor()
  await screenshotContent(page, 'paper-account')
  const job = await loadPairs(page, broker.id)
  assert.ok(job.total > 0)
})

test('Trading manuel : achat au marché sur le broker papier, pastille PAPIER, solde en base', { timeout: 90_000 }, async () => {
  await openMenuPage(page, TRADING)
  const select = page.locator('[data-testid="broker-select"]')
  await select.waitFor()
  await select.selectOption(String(broker.id))
  assert.match(await select.locator('option:checked').innerText(), /\(papier\)/)
  await page.locator('main [data-testid="paper-badge"]').first().waitFor()
  await portfolioRow('USDT').waitFor({ timeout: 30_000 })
  assert.equal(Number(await portfolioRow('USDT').locator('[data-col="free"]').getAttribute('data-value')), 10000)

  await page.fill('[data-testid="symbol-search"]', 'BTC')
  await page.locator('[data-testid="symbol-BTC/USDT"]').click()
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="ticker-price"]')?.textContent ?? ''))
  await page.fill('[data-testid="order-quote"]', '100')
  await page.click('[data-testid="order-buy"]')
  await page.locator('[data-testid="order-confirm-dialog"]').waitFor()
  await page.click('[data-testid="order-confirm"]')
  const result = page.locator('[data-testid="order-result"]')
  await result.waitFor({ timeout: 30_000 })
  assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText())
  assert.match(await result.innerText(), /^Achat exécuté : .* BTC à .* USDT/)

  await portfolioRow('BTC').waitFor({ timeout: 30_000 })
  const filled = page.locator('[data-testid="recent-trades"] tbody tr[data-status="filled"]').first()
  await filled.locator('[data-testid="paper-badge"]').waitFor()
  const trades = await api('GET', `/api/trades/?broker=${broker.id}`)
  assert.deepEqual(trades.data.results.map((t) => [t.side, t.status, t.is_paper]), [['buy', 'filled', true]])
  const portfolio = await api('GET', `/api/trading-manual/portfolio/?broker=${broker.id}`)
  const usdt = portfolio.data.balances.find((b) => b.asset === 'USDT')
  assert.ok(usdt.free < 10000 && usdt.free > 9899, `USDT débité d’environ 100 : ${usdt.free}`)
  await screenshotContent(page, 'paper-trading-manual')
})

test('Statistiques : le solde du broker papier relevé trace « Évolution globale du solde »', { timeout: 60_000 }, async () => {
  await openMenuPage(page, MENU_PAGES.find((p) => p.slug === 'statistiques'))
  await page.locator('[data-testid="stats-filters"] select[name="broker"]').selectOption(String(broker.id))
  await page.locator('[data-testid="stats-filters"] [data-testid="paper-badge"]').waitFor()
  const card = page.locator('[data-testid="stats-balance-card"]')
  const posted = page.waitForResponse((r) => r.url().includes('/api/stats/balance-snapshots/') && r.request().method() === 'POST')
  await card.locator('[data-testid="stats-snapshot-now"]').click()
  const snapshot = await (await posted).json()
  const mine = snapshot.results.find((r) => r.broker_name === BROKER_NAME)
  // 10 000 USDT de départ, 100 passés en BTC au prix du moment : un total lu (jamais un trou ni zéro).
  assert.ok(mine && Number(mine.total_usd) > 9900 && Number(mine.total_usd) < 10100, JSON.stringify(mine))
  await card.locator('[data-testid="stats-balance-chart"] canvas').first().waitFor({ state: 'attached' })
  const history = await api('GET', `/api/stats/balance-history/?broker=${broker.id}&tz=UTC&interval=hour`)
  assert.ok(history.data.points.some((p) => p.total_usd !== null), JSON.stringify(history.data.points.at(-1)))
  await screenshotContent(page, 'paper-stats-balance')
})

test('Réinitialiser (avec confirmation) rend les soldes de départ', { timeout: 60_000 }, async () => {
  await openMenuPage(page, ACCOUNT)
  await row().locator('[data-testid="reset-paper"]').click()
  const dialog = page.locator('[data-testid="confirm-dialog"]')
  await dialog.waitFor()
  assert.match(await dialog.innerText(), /soldes de départ \(10\s000 USDT\)/)
  await page.click('[data-testid="confirm-accept"]')
  await dialog.waitFor({ state: 'detached', timeout: 30_000 })
  await page.getByRole('alert').filter({ hasText: 'remis à 10' }).first().waitFor()
  const portfolio = await api('GET', `/api/trading-manual/portfolio/?broker=${broker.id}`)
  assert.deepEqual(portfolio.data.balances.map((b) => [b.asset, b.total]), [['USDT', 10000]])
})

test('téléphone (390 px) : la pastille PAPIER reste visible au Trading manuel', { timeout: 60_000 }, async () => {
  const phone = await newPage(browser, { viewport: { width: 390, height: 844 } })
  try {
    await ensureLoggedIn(phone)
    await phone.goto('/trading-manuel')
    const select = phone.locator('[data-testid="broker-select"]')
    await select.waitFor()
    await select.selectOption(String(broker.id))
    const badge = phone.locator('main [data-testid="paper-badge"]').first()
    await badge.waitFor()
    const box = await badge.boundingBox()
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'la pastille tient dans l’écran')
    assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'pas de défilement horizontal')
  } finally {
    await phone.context().close()
  }
})
