/**
 * Statistiques : cartes d'indicateurs, courbes (canvas lightweight-charts) du solde relevé et du P&L
 * réalisé, « Relever maintenant », tableaux, filtres.
 * Des trades sont créés par l'API : un broker de démonstration du simulateur, un achat manuel et des
 * alertes webhook (source « e2e-stats ») exécutées par le moteur. Aucune de ces voies ne produit encore de
 * P&L réalisé (seules les positions du Trading BOT en ont) : la courbe reste vide ici. Pour ne pas
 * interférer avec les autres fichiers (qui utilisent `dac`), ce test se connecte en `dev` quand
 * ARISTOBOT_DEV_PASSWORD est connu (scripts/e2e.sh l'exporte). Les chiffres affichés sont comparés à
 * ceux de l'API, quelle que soit l'issue des ordres ; sans trade, l'état vide est vérifié.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, SCREENSHOT_DIR, apiCall, credentials, ensureLoggedIn, launchBrowser, newPage, openMenuPage, screenshotContent, setPageTheme } from './helpers.mjs'

const PAGE = MENU_PAGES.find((p) => p.slug === 'statistiques')
const SOURCE = 'e2e-stats'
const BROKER = 'E2E Stats'

let browser
let page

const creds = process.env.ARISTOBOT_DEV_PASSWORD ? { username: 'dev', password: process.env.ARISTOBOT_DEV_PASSWORD } : credentials()

/** Appel JSON à l'API depuis la page (voir `apiCall`). */
const api = (method, path, body) => apiCall(page, method, path, body)

/** Broker de démonstration + trois alertes ; attend que le moteur les ait traitées. */
async function seedTrades() {
  const brokers = (await api('GET', '/api/brokers/')).data ?? []
  if (!brokers.some((b) => b.name === BROKER)) {
    const created = await api('POST', '/api/brokers/', { name: BROKER, exchange: 'binance', api_key: 'demo-api-key', api_secret: 'demo-api-secret' })
    assert.equal(created.status, 201, JSON.stringify(created.data))
  }
  // Un achat manuel (API du Trading manuel) pour le tableau « Manuel » ; son issue n'est pas vérifiée ici.
  const broker = ((await api('GET', '/api/brokers/')).data ?? []).find((b) => b.name === BROKER)
  const manual = await api('POST', '/api/trading-manual/orders/', { broker: broker.id, symbol: 'BTC/USDT', side: 'buy', order_type: 'market', quote_amount: '25' })
  console.log(`[stats] ordre manuel : HTTP ${manual.status}`)
  const { data: cfg } = await api('POST', '/api/webhooks/config/', {}) // créée au besoin
  const path = new URL(cfg.url).pathname
  const stamp = Date.now()
  const alerts = [
    { action: 'buy', amount: 20 },
    { action: 'buy', amount: 15 },
    { action: 'sell', percent: 10 },
  ]
  const ids = []
  for (const [i, alert] of alerts.entries()) {
    const r = await api('POST', path, { secret: cfg.secret, symbol: 'BTCUSDT', broker: BROKER, source: SOURCE, id: `e2e-stats-${stamp}-${i}`, ...alert })
    assert.equal(r.status, 202, JSON.stringify(r.data))
    ids.push(r.data.id)
  }
  const deadline = Date.now() + 45_000
  while (Date.now() < deadline) {
    const { data } = await api('GET', `/api/webhooks/?q=${SOURCE}&page_size=50`)
    const rows = (data?.results ?? []).filter((w) => ids.includes(w.id))
    if (rows.length === ids.length && rows.every((w) => ['done', 'error'].includes(w.status))) return rows
    await page.waitForTimeout(500)
  }
  return []
}

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page, creds)
})

after(async () => {
  await browser?.close()
})

test('des trades existent (broker de démonstration + alertes exécutées par le moteur)', { timeout: 90_000 }, async () => {
  const processed = await seedTrades()
  // Pas d'assertion sur l'issue : le test de la page compare ensuite l'affichage à l'API.
  console.log(`[stats] alertes traitées : ${processed.map((w) => `${w.id}=${w.status}`).join(', ') || 'aucune'}`)
})

test('cartes d’indicateurs, courbe et tableaux reflètent l’API', { timeout: 45_000 }, async () => {
  await openMenuPage(page, PAGE)
  await page.locator('[data-testid="kpi-trades"] [data-testid="kpi-value"]').waitFor()
  await page.waitForFunction(() => document.querySelector('[data-testid="kpi-pnl"] [data-testid="kpi-value"]')?.innerText !== '…')
  assert.equal(await page.locator('[data-testid^="kpi-"][data-tone]').count(), 4)
  // lightweight-charts dessine dans des <canvas>
  await page.locator('[data-testid="stats-pnl-chart"] canvas').first().waitFor({ state: 'attached' })
  const box = await page.locator('[data-testid="stats-pnl-chart"]').boundingBox()
  assert.ok(box.width > 300 && box.height >= 300, `taille du graphique ${box.width}×${box.height}`)

  const { data: summary } = await api('GET', `/api/stats/summary/?start=${await startOf30Days()}&tz=UTC`)
  const total = summary.total
  assert.equal(await page.locator('[data-testid="kpi-trades"] [data-testid="kpi-value"]').innerText(), String(total.closed_trades))
  assert.match(await page.locator('[data-testid="kpi-trades"]').innerText(), new RegExp(`${total.orders} ordres? exécutés?`))
  const pnlTone = await page.locator('[data-testid="kpi-pnl"]').getAttribute('data-tone')
  assert.equal(pnlTone, Number(total.pnl) > 0 ? 'profit' : Number(total.pnl) < 0 ? 'loss' : 'neutral')
  if (total.orders + total.errors + total.closed_trades === 0) {
    await page.locator('[data-testid="stats-empty"]').waitFor()
    assert.match(await page.locator('[data-testid="stats-empty"]').innerText(), /Aucun trade sur cette période/)
  } else {
    assert.equal(await page.locator('[data-testid="stats-empty"]').count(), 0)
    const bySource = summary.by_source
    if (bySource.webhook.orders + bySource.webhook.errors) {
      assert.match(await page.locator('[data-testid="stats-webhook-sources"]').innerText(), new RegExp(SOURCE))
    }
    if (bySource.manual.orders + bySource.manual.errors) {
      assert.match(await page.locator('[data-testid="stats-manual"]').innerText(), /BTC\/USDT/)
    }
    const webhookCard = await page.locator('[data-testid="source-webhook"]').innerText()
    assert.match(webhookCard, new RegExp(`${bySource.webhook.orders} ordres?`))
  }
  if (!total.closed_trades) await page.locator('[data-testid="stats-pnl-card"] [data-testid="chart-empty"]').waitFor()
  await page.waitForTimeout(300)
  await screenshotContent(page, 'stats-dark')
})

async function startOf30Days() {
  return page.evaluate(() => {
    const d = new Date()
    d.setUTCDate(d.getUTCDate() - 29)
    return d.toISOString().slice(0, 10)
  })
}

test('filtres : période, broker, dates incohérentes', { timeout: 30_000 }, async () => {
  const next = (fragment) => page.waitForResponse((r) => r.url().includes('/api/stats/summary/') && r.url().includes(fragment))
  let response = next('tz=UTC')
  await page.locator('[role="radio"][data-value="all"]').click()
  assert.doesNotMatch((await response).url(), /start=/)
  response = next('start=')
  const history = page.waitForResponse((r) => r.url().includes('/api/stats/pnl-history/') && r.url().includes('start='))
  const balance = page.waitForResponse((r) => r.url().includes('/api/stats/balance-history/') && r.url().includes('start='))
  await page.locator('[role="radio"][data-value="7d"]').click()
  assert.equal((await response).status(), 200)
  assert.match((await history).url(), /interval=hour/)
  assert.equal((await balance).status(), 200)

  const brokers = (await api('GET', '/api/brokers/')).data
  if (brokers.length) {
    response = next(`broker=${brokers[0].id}`)
    await page.locator('select[name="broker"]').selectOption(String(brokers[0].id))
    assert.equal((await response).status(), 200)
    await page.locator('select[name="broker"]').selectOption('')
  }
  await page.locator('[role="radio"][data-value="custom"]').click()
  await page.fill('input[name="start"]', '2026-02-10')
  await page.fill('input[name="end"]', '2026-02-01')
  await page.locator('input[name="end"]').dispatchEvent('change')
  await page.locator('[data-testid="stats-filter-error"]', { hasText: 'La date de début doit précéder la date de fin.' }).waitFor()
  await page.locator('[role="radio"][data-value="30d"]').click()
  await page.locator('[data-testid="stats-filter-error"]').waitFor({ state: 'detached' })
})

/** « 6 000,00 » : le total tel que la légende l'écrit (format français, espace fine insécable). */
const frAmount = (value) => new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(value))

test('évolution du solde : la courbe apparaît après « Relever maintenant »', { timeout: 60_000 }, async () => {
  await openMenuPage(page, PAGE)
  const card = page.locator('[data-testid="stats-balance-card"]')
  await card.waitFor()
  const { data: before } = await api('GET', '/api/stats/balance-history/?tz=UTC&interval=hour')
  if (!before.points.some((p) => p.total_usd !== null)) {
    // Base neuve : le moteur relève toutes les heures, rien encore pour `dev`.
    const empty = await card.locator('[data-testid="stats-balance-empty"]').innerText()
    assert.match(empty, /Aucun relevé de solde sur cette période/)
    assert.match(empty, /toutes les heures/)
    assert.equal(await card.locator('[data-testid="stats-balance-chart"]').count(), 0)
  }
  const posted = page.waitForResponse((r) => r.url().includes('/api/stats/balance-snapshots/') && r.request().method() === 'POST')
  const reloaded = page.waitForResponse((r) => r.url().includes('/api/stats/balance-history/'))
  await card.locator('[data-testid="stats-snapshot-now"]').click()
  const response = await posted
  assert.equal(response.status(), 201)
  const snapshot = await response.json()
  assert.ok(snapshot.results.some((r) => r.broker_name === BROKER && r.total_usd !== null), JSON.stringify(snapshot))
  await reloaded
  await card.locator('[data-testid="stats-balance-chart"] canvas').first().waitFor({ state: 'attached' })
  assert.match(await card.locator('[data-testid="stats-snapshot-result"]').innerText(), /soldes? relevés?/)

  // La légende montre le dernier point de l'API (total et principaux actifs).
  const { data: after } = await api('GET', `/api/stats/balance-history/?start=${await startOf30Days()}&tz=UTC&interval=hour`)
  const last = after.points.at(-1)
  assert.ok(last.total_usd !== null, JSON.stringify(last))
  await page.waitForFunction(
    (text) => document.querySelector('[data-testid="stats-balance-total"]')?.innerText.includes(text),
    frAmount(last.total_usd),
  )
  const assets = await card.locator('[data-testid="stats-balance-assets"]').innerText()
  assert.match(assets, new RegExp(last.assets[0].asset))

  // Survol : la légende suit le réticule sans erreur.
  const chartBox = await card.locator('[data-testid="stats-balance-chart"]').boundingBox()
  await page.mouse.move(chartBox.x + chartBox.width / 2, chartBox.y + chartBox.height / 2)
  await page.mouse.move(chartBox.x + chartBox.width - 60, chartBox.y + chartBox.height / 2)
  await card.locator('[data-testid="stats-balance-total"]').waitFor()

  // Téléphone (390 px) : la carte tient dans l'écran, pas de défilement horizontal de la page.
  const viewport = page.viewportSize()
  await page.setViewportSize({ width: 390, height: 844 })
  try {
    await page.waitForTimeout(300)
    const widths = await page.evaluate(() => {
      const main = document.querySelector('[data-testid="main-content"]')
      return { page: document.documentElement.scrollWidth, window: window.innerWidth, main: main.scrollWidth, mainClient: main.clientWidth }
    })
    assert.ok(widths.page <= widths.window, `la page défile horizontalement (${widths.page} > ${widths.window})`)
    assert.ok(widths.main <= widths.mainClient, `le contenu défile horizontalement (${widths.main} > ${widths.mainClient})`)
    const phoneBox = await card.boundingBox()
    assert.ok(phoneBox.width <= 390, `carte du solde : ${phoneBox.width} px`)
    await card.scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${SCREENSHOT_DIR}stats-balance-phone.png` })
  } finally {
    await page.setViewportSize(viewport)
  }
})

test('thème clair', { timeout: 20_000 }, async () => {
  await page.waitForTimeout(300)
  await setPageTheme(page, 'light')
  await page.waitForTimeout(200) // le graphique relit les tokens (MutationObserver)
  await screenshotContent(page, 'stats-light')
  await setPageTheme(page, 'dark')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})
