/**
 * Graphiques de la page Backtest : les graduations des axes (temps et prix) ne se chevauchent pas et
 * ne sont pas coupées par le bord du graphique — à la largeur par défaut (1440), sur tablette (768)
 * et sur téléphone (390), pour une courte période en 5m (heures et jours) et une longue en 1h (jours
 * et mois), ainsi que dans la comparaison des deux. Les libellés sont dessinés dans des canvas : leurs
 * boîtes sont relevées en interceptant `fillText` (voir canvasLabels.mjs).
 *
 * Broker, stratégie (exemple EMA) et backtests créés par l'API, supprimés à la fin.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { axisLabelBoxes, labelProblems, recordCanvasLabels } from './canvasLabels.mjs'
import { MENU_PAGES, VIEWPORT, apiCall, ensureLoggedIn, launchBrowser, loadPairs, newPage, openMenuPage, screenshot } from './helpers.mjs'

const SUFFIX = Date.now().toString(36)
const PAGE = MENU_PAGES.find((p) => p.slug === 'backtest')
const CHARTS = ['bt-candles', 'bt-equity', 'bt-drawdown']

let browser
let page
let broker
let strategy
const backtests = []

const api = (method, path, body) => apiCall(page, method, path, body)
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10)

/** Lance un backtest de `days` jours finissant hier (UTC) et attend qu'il soit terminé. */
async function runBacktest(timeframe, days) {
  const end = Date.now() - 86_400_000
  const created = await api('POST', '/api/backtests/', {
    strategy: strategy.id, broker: broker.id, symbol: 'BTC/USDT', timeframe,
    start_date: isoDay(end - (days - 1) * 86_400_000), end_date: isoDay(end), initial_amount: '10000', fee_rate: '0.001',
  })
  assert.equal(created.status, 201, JSON.stringify(created.data))
  backtests.push(created.data.id)
  const deadline = Date.now() + 90_000
  for (;;) {
    const { data } = await api('GET', `/api/backtests/${created.data.id}/`)
    if (data.status === 'done') return data
    assert.ok(!['error', 'cancelled'].includes(data.status), `backtest ${timeframe} : ${data.status} ${data.error_message}`)
    assert.ok(Date.now() < deadline, `backtest ${timeframe} trop long`)
    await page.waitForTimeout(500)
  }
}

/** Ouvre un backtest de l'historique et attend ses graphiques. */
async function openResult(id) {
  await page.locator(`[data-testid="bt-history-${id}"] [data-testid="bt-history-open"]`).click()
  await page.locator('[data-testid="bt-result-title"]', { hasText: `#${id}` }).waitFor()
  await page.locator('[data-testid="bt-price-chart"]:not([data-candles="0"])').waitFor()
  await page.waitForTimeout(500)
}

/** Vérifie les graduations d'un graphique : axe du temps et axe des prix présents, rien de coupé ni de superposé. */
async function assertAxes(testid, label) {
  const canvases = await axisLabelBoxes(page, `[data-testid="${testid}"]`)
  const count = canvases.reduce((n, c) => n + c.labels.length, 0)
  assert.ok(canvases.length >= 2 && count >= 4, `${label} ${testid} : graduations des deux axes attendues (${count})`)
  assert.deepEqual(labelProblems(canvases), [], `${label} ${testid}`)
}

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page)
  const created = await api('POST', '/api/brokers/', {
    name: `E2E Graphiques ${SUFFIX}`, exchange: 'binance', api_key: 'demo-api-key', api_secret: 'demo-api-secret', is_testnet: false,
  })
  assert.equal(created.status, 201, JSON.stringify(created.data))
  broker = created.data
  assert.ok((await loadPairs(page, broker.id)).total > 0)
  const template = await api('GET', '/api/strategies/template/')
  const strat = await api('POST', '/api/strategies/', { name: `E2E EMA graphiques ${SUFFIX}`, timeframe: '5m', code: template.data.example_ema_cross })
  assert.equal(strat.status, 201, JSON.stringify(strat.data))
  strategy = strat.data
})

after(async () => {
  if (page) {
    for (const id of backtests) await api('DELETE', `/api/backtests/${id}/`).catch(() => null)
    if (strategy) await api('DELETE', `/api/strategies/${strategy.id}/`).catch(() => null)
    if (broker) await api('DELETE', `/api/brokers/${broker.id}/`).catch(() => null)
  }
  await browser?.close()
})

test('largeur par défaut (1440) : graduations lisibles sur 2 jours en 5m et 30 jours en 1h, et dans la comparaison', { timeout: 240_000 }, async () => {
  const short = await runBacktest('5m', 2)
  const long = await runBacktest('1h', 30)
  await openMenuPage(page, PAGE)
  await recordCanvasLabels(page)
  for (const run of [short, long]) {
    await openResult(run.id)
    for (const chart of CHARTS) await assertAxes(chart, `${run.timeframe} ${VIEWPORT.width}px`)
  }
  await screenshot(page, 'backtest-charts-1440')

  await page.locator(`[data-testid="bt-history-${short.id}"] [data-testid="bt-compare-check"]`).check()
  await page.locator(`[data-testid="bt-history-${long.id}"] [data-testid="bt-compare-check"]`).check()
  await page.locator('[data-testid="bt-compare-chart"] canvas').first().waitFor()
  await page.waitForTimeout(500)
  await assertAxes('bt-compare-chart', 'comparaison')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

test('tablette (768) et téléphone (390) : graduations lisibles', { timeout: 90_000 }, async () => {
  for (const width of [768, 390]) {
    await page.setViewportSize({ width, height: 900 })
    for (const id of backtests) {
      await page.goto(`/backtest`)
      await page.locator('h1', { hasText: 'Backtest' }).waitFor()
      await recordCanvasLabels(page)
      await openResult(id)
      for (const chart of CHARTS) await assertAxes(chart, `#${id} ${width}px`)
    }
  }
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})
