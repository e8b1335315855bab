/**
 * Page Backtest contre la pile e2e complète (simulateur Binance, Daphne) : broker de démonstration
 * et paires chargés par l'API, exemple EMA 10/20 créé par l'API ; sur la page : formulaire (symbole
 * recherché, 5m, 2 jours), « Lancer », progression téléchargement puis calcul, cartes de
 * statistiques, graphique (chandeliers + marqueurs, SL/TP du trade choisi), équité, liste des trades
 * triable ; Stop pendant un long téléchargement ; comparaison de deux backtests ; suppression avec
 * confirmation ; captures sombre et clair.
 *
 * Utilisateur : `dev` si ARISTOBOT_DEV_PASSWORD est connu (isolé des tests qui utilisent `dac`),
 * sinon E2E_USER / E2E_PASSWORD. Tout ce qui est créé est supprimé à la fin.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, apiCall, credentials, ensureLoggedIn, launchBrowser, loadPairs, newPage, openMenuPage, screenshotContent, setPageTheme } from './helpers.mjs'

const CREDS = process.env.ARISTOBOT_DEV_PASSWORD ? { username: 'dev', password: process.env.ARISTOBOT_DEV_PASSWORD } : credentials()
const SUFFIX = Date.now().toString(36)
const BROKER_NAME = `E2E Backtest ${SUFFIX}`
const STRATEGY_NAME = `E2E EMA backtest ${SUFFIX}`
const PAGE = MENU_PAGES.find((p) => p.slug === 'backtest')

let browser
let page
let broker
let strategy
const created = new Set()

/** Appel JSON à l'API depuis la page (voir `apiCall`). */
const api = (method, path, body) => apiCall(page, method, path, body)
const mainPage = () => page


const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10)

/** Remplit le formulaire ; `days` jours complets finissant hier (UTC), ou `start`/`end` donnés. */
async function fillForm({ timeframe, days, start, end: last }, page = mainPage()) {
  await page.locator(`[data-testid="bt-strategy"] option[value="${strategy.id}"]`).waitFor({ state: 'attached' })
  await page.selectOption('[data-testid="bt-strategy"]', String(strategy.id))
  await page.locator(`[data-testid="bt-broker"] option[value="${broker.id}"]`).waitFor({ state: 'attached' })
  await page.selectOption('[data-testid="bt-broker"]', String(broker.id))
  await page.fill('[data-testid="bot-symbol-search"]', 'BTC')
  await page.locator('[data-testid="bot-symbol-BTC/USDT"]').click()
  assert.equal((await page.locator('[data-testid="bot-symbol-selected"]').innerText()).trim(), 'BTC/USDT')
  await page.locator(`[data-testid="backtest-form"] [role="radio"][data-value="${timeframe}"]`).click()
  const end = Date.now() - 86_400_000
  await page.fill('[data-testid="bt-start"]', start ?? isoDay(end - (days - 1) * 86_400_000))
  await page.fill('[data-testid="bt-end"]', last ?? isoDay(end))
  await page.fill('[data-testid="bt-amount"]', '10000')
  await page.fill('[data-testid="bt-fee"]', '0.1')
}

/** Clique « Lancer » et renvoie l'id du backtest créé (réponse 201 de l'API). */
async function launch(page = mainPage()) {
  const response = page.waitForResponse((r) => r.url().endsWith('/api/backtests/') && r.request().method() === 'POST')
  await page.click('[data-testid="bt-launch"]')
  const res = await response
  assert.equal(res.status(), 201, await res.text())
  const body = await res.json()
  created.add(body.id)
  return { id: body.id, request: res.request().postDataJSON() }
}

async function themedScreenshot(theme, name) {
  await setPageTheme(page, theme)
  await page.waitForTimeout(600)
  await screenshotContent(page, name)
}

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page, CREDS)
  const brokerResponse = await api('POST', '/api/brokers/', {
    name: BROKER_NAME, exchange: 'binance', api_key: 'demo-api-key', api_secret: 'demo-api-secret', is_testnet: false,
  })
  assert.equal(brokerResponse.status, 201, JSON.stringify(brokerResponse.data))
  broker = brokerResponse.data
  assert.ok((await loadPairs(page, broker.id)).total > 0)
  const template = await api('GET', '/api/strategies/template/')
  const strat = await api('POST', '/api/strategies/', { name: STRATEGY_NAME, timeframe: '5m', code: template.data.example_ema_cross })
  assert.equal(strat.status, 201, JSON.stringify(strat.data))
  strategy = strat.data
})

after(async () => {
  if (page) {
    for (const id of created) await api('DELETE', `/api/backtests/${id}/`).catch(() => null)
    if (strategy) await api('DELETE', `/api/strategies/${strategy.id}/`).catch(() => null)
    if (broker) await api('DELETE', `/api/brokers/${broker.id}/`).catch(() => null)
  }
  await browser?.close()
})

test('EMA 10/20 sur 2 jours en 5m : progression, statistiques, graphique avec marqueurs, trades', { timeout: 120_000 }, async () => {
  await openMenuPage(page, PAGE)
  await page.locator('[data-testid="backtest-form"]').waitFor()
  await fillForm({ timeframe: '5m', days: 2 })
  const { id } = await launch()

  // Progression : l'état passe par le calcul et finit « Terminé », les deux barres à 100 %.
  await page.locator('[data-testid="bt-status"]', { hasText: 'Terminé' }).waitFor({ timeout: 90_000 })
  assert.equal(await page.locator('[data-testid="bt-progress-download"]').getAttribute('data-value'), '100')
  assert.equal(await page.locator('[data-testid="bt-progress-compute"]').getAttribute('data-value'), '100')
  assert.ok(await page.locator('[data-testid="bt-stop-download"]').isDisabled())

  // Résultat : cartes, graphique (canvas, bougies, marqueurs), équité, trades.
  await page.locator('[data-testid="bt-result-title"]', { hasText: `#${id}` }).waitFor()
  const row = (await api('GET', `/api/backtests/${id}/`)).data
  assert.equal(row.status, 'done')
  assert.ok(row.total_trades > 0, 'l’exemple EMA doit trader sur 2 jours')
  for (const card of ['final', 'pnl', 'trades', 'win-rate', 'drawdown', 'sharpe', 'sortino', 'profit-factor', 'expectancy', 'exposure', 'fees', 'buy-hold']) {
    assert.ok(await page.locator(`[data-testid="bt-card-${card}"]`).isVisible(), `carte ${card}`)
  }
  assert.equal((await page.locator('[data-testid="bt-card-trades"] .stat-tile__value').innerText()).trim(), String(row.total_trades))
  const chart = page.locator('[data-testid="bt-price-chart"]')
  await chart.and(page.locator('[data-candles="576"]')).waitFor()
  assert.equal(Number(await chart.getAttribute('data-markers')), row.total_trades * 2)
  assert.ok((await page.locator('[data-testid="bt-candles"] canvas').count()) > 0, 'canvas du graphique')
  assert.ok((await page.locator('[data-testid="bt-equity"] canvas').count()) > 0, 'canvas de l’équité')

  const rows = page.locator('[data-testid="bt-trade-row"]')
  assert.equal(await rows.count(), Math.min(row.total_trades, 50))
  // Tri par P&L décroissant : la première ligne est le meilleur trade.
  await page.click('[data-testid="bt-sort-pnl"]')
  const best = Math.max(...row.trades_detail.map((t) => t.pnl))
  const firstPnl = await rows.first().locator('td').nth(7).innerText()
  assert.equal(Number(firstPnl.replace(/[\s\u202f]/g, '').replace('+', '').replace('−', '-').replace(',', '.')).toFixed(2), best.toFixed(2))
  // Un clic sur un trade montre son entrée et ses niveaux sur le graphique.
  await rows.first().click()
  await chart.and(page.locator('[data-levels^="Entrée"]')).waitFor()
  assert.deepEqual(page.errors, [])

  await themedScreenshot('dark', 'backtest-dark')
  await themedScreenshot('light', 'backtest-light')
  await setPageTheme(page, 'dark')
})

test('Stop pendant le téléchargement : annulé, les pages téléchargées restent', { timeout: 120_000 }, async () => {
  await fillForm({ timeframe: '1m', days: 60 })
  const { id } = await launch()
  const stop = page.locator('[data-testid="bt-stop-download"]')
  // Ni 0 ni 100 : la barre de CE backtest, en cours (pas celle du backtest terminé juste avant).
  await page.locator('[data-testid="bt-progress-download"]:not([data-value="0"]):not([data-value="100"])').waitFor({ timeout: 60_000 })
  await stop.click()
  await page.locator('[data-testid="bt-status"]', { hasText: 'Annulé' }).waitFor({ timeout: 5_000 })
  const row = (await api('GET', `/api/backtests/${id}/`)).data
  assert.equal(row.status, 'cancelled')
  assert.ok(row.download_progress > 0 && row.download_progress < 100, `téléchargement partiel (${row.download_progress} %)`)
  await page.locator(`[data-testid="bt-history-${id}"]`, { hasText: 'Annulé' }).waitFor()
})

test('historique : relancer, comparer deux backtests, supprimer avec confirmation', { timeout: 120_000 }, async () => {
  await fillForm({ timeframe: '5m', days: 2 })
  const { id: second } = await launch()
  await page.locator('[data-testid="bt-status"]', { hasText: 'Terminé' }).waitFor({ timeout: 60_000 })
  const done = [...created].filter((id) => id !== second)
  const first = (await Promise.all(done.map((id) => api('GET', `/api/backtests/${id}/`)))).map((r) => r.data).find((r) => r.status === 'done')
  assert.ok(first, 'un premier backtest terminé')

  await page.locator(`[data-testid="bt-history-${first.id}"] [data-testid="bt-compare-check"]`).check()
  await page.locator(`[data-testid="bt-history-${second}"] [data-testid="bt-compare-check"]`).check()
  const compare = page.locator('[data-testid="bt-compare"]')
  await compare.waitFor()
  assert.ok(await compare.locator('[data-testid="bt-compare-total_pnl_pct"]').isVisible())
  assert.ok((await compare.locator('[data-testid="bt-compare-chart"] canvas').count()) > 0)
  await themedScreenshot('dark', 'backtest-compare-dark')
  await setPageTheme(page, 'dark')

  // Rouvrir le premier, puis supprimer le second après confirmation.
  await page.locator(`[data-testid="bt-history-${first.id}"] [data-testid="bt-history-open"]`).click()
  await page.locator('[data-testid="bt-result-title"]', { hasText: `#${first.id}` }).waitFor()
  await page.locator(`[data-testid="bt-history-${second}"] [data-testid="bt-history-delete"]`).click()
  await page.locator('[data-testid="confirm-dialog"]').waitFor()
  await page.click('[data-testid="confirm-accept"]')
  await page.locator(`[data-testid="bt-history-${second}"]`).waitFor({ state: 'detached' })
  assert.equal((await api('GET', `/api/backtests/${second}/`)).status, 404)
  created.delete(second)
  assert.equal(await compare.count(), 0)
  assert.deepEqual(page.errors, [])
})

/** Dernier dimanche de mars (passage à l'heure d'été en Europe) déjà passé d'au moins deux jours. */
function lastDstSpringDay(now = new Date()) {
  for (let year = now.getUTCFullYear(); ; year -= 1) {
    const day = new Date(Date.UTC(year, 2, 31))
    day.setUTCDate(31 - day.getUTCDay())
    if (day.getTime() + 2 * 86_400_000 < now.getTime()) return day.toISOString().slice(0, 10)
  }
}

test('fuseau « heure locale » (Mon Compte) : champs dits en heure locale, jours de Paris envoyés en instants exacts', { timeout: 120_000 }, async () => {
  const paris = await newPage(browser, { timezoneId: 'Europe/Paris' })
  await ensureLoggedIn(paris, CREDS)
  const before = (await apiCall(paris, 'GET', '/api/auth/me/')).data.display_timezone
  try {
    assert.equal((await apiCall(paris, 'PATCH', '/api/auth/me/', { display_timezone: 'local' })).status, 200)
    await paris.reload()
    await openMenuPage(paris, PAGE)
    await paris.locator('[data-testid="backtest-form"]').waitFor()
    assert.equal((await paris.locator('label[for="bt-start"]').textContent()).trim(), 'Début (heure locale)')
    assert.equal((await paris.locator('label[for="bt-end"]').textContent()).trim(), 'Fin incluse (heure locale)')
    // Le jour du passage à l'heure d'été (23 h) : de minuit à minuit à Paris.
    const day = lastDstSpringDay()
    const previous = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
    await fillForm({ timeframe: '5m', start: previous, end: day }, paris)
    const { id, request } = await launch(paris)
    const dayBefore = new Date(Date.parse(`${previous}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)
    assert.equal(request.start_date, `${dayBefore}T23:00:00.000Z`, 'minuit à Paris (UTC+1)')
    assert.equal(request.end_date, `${day}T22:00:00.000Z`, 'minuit du lendemain à Paris (UTC+2)')
    await paris.locator('[data-testid="bt-status"]', { hasText: 'Terminé' }).waitFor({ timeout: 90_000 })
    await paris.locator('[data-testid="bt-result-title"]', { hasText: `#${id}` }).waitFor()
    assert.match(await paris.locator('[data-testid="bt-result-title"]').innerText(), new RegExp(`du ${previous} au ${day} \\(heure locale\\)`))
    // 24 h + 23 h (jour du changement d'heure) de bougies 5m.
    await paris.locator('[data-testid="bt-price-chart"][data-candles="564"]').waitFor()
    assert.deepEqual(paris.errors, [])
  } finally {
    await apiCall(paris, 'PATCH', '/api/auth/me/', { display_timezone: before })
    await paris.context().close()
  }
})
