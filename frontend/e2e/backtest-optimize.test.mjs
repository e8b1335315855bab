/**
 * Optimisation des paramètres depuis la page Backtest contre la pile e2e complète (simulateur
 * Binance, Daphne, processus de calcul) : exemple EMA (fast = 10, slow = 20) créé par l'API ; mode
 * « Optimisation » : lignes des paramètres, petite grille 2 × 2 sur 2 jours en 5m avec part hors
 * échantillon, progression « n / 4 backtests », meilleur run (entraînement / hors échantillon),
 * tableau trié par une autre métrique, carte de chaleur, « Appliquer » → backtest complet avec ces
 * valeurs ; « Annuler » au milieu d'une grande grille ; téléphone et tablette sans défilement
 * horizontal ; captures sombre et clair.
 *
 * Utilisateur : E2E_USER / E2E_PASSWORD (`dac`), pas celui de backtest.test.mjs (`dev`) : la page
 * reprend les backtests et optimisations actifs de l'utilisateur, les deux fichiers tournent en
 * parallèle. Tout ce qui est créé est supprimé à la fin.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiCall, credentials, ensureLoggedIn, launchBrowser, loadPairs, newPage, screenshotContent, setPageTheme, url } from './helpers.mjs'

const SUFFIX = Date.now().toString(36)
const BROKER_NAME = `E2E Optimisation ${SUFFIX}`
const STRATEGY_NAME = `E2E EMA optimisation ${SUFFIX}`
const DAY = 86_400_000

let browser
let page
let broker
let strategy
const optimizations = new Set()
const backtests = new Set()

const api = (method, path, body, target = page) => apiCall(target, method, path, body)
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10)
/** « +1 234,50 % » → 1234.5 ; « — » → null. */
const parseFr = (text) => {
  const clean = text.replace(/[\s\u202f%]/g, '').replace('+', '').replace('−', '-').replace(',', '.')
  return clean === '—' || clean === '' ? null : Number(clean)
}

async function openOptimization(target = page) {
  await target.goto(url('/backtest?mode=optimisation'))
  await target.locator('[data-testid="opt-grid"]').waitFor()
}

/** Formulaire partagé (stratégie, broker, BTC/USDT, unité, période) puis la grille donnée. */
async function fillForm({ timeframe, days, grid }) {
  await page.locator(`[data-testid="bt-strategy"] option[value="${strategy.id}"]`).waitFor({ state: 'attached' })
  await page.selectOption('[data-testid="bt-strategy"]', String(strategy.id))
  await page.locator(`[data-testid="bt-broker"] option[value="${broker.id}"]`).waitFor({ state: 'attached' })
  await page.selectOption('[data-testid="bt-broker"]', String(broker.id))
  await page.fill('[data-testid="bot-symbol-search"]', 'BTC')
  await page.locator('[data-testid="bot-symbol-BTC/USDT"]').click()
  await page.locator(`[data-testid="backtest-form"] [role="radio"][data-value="${timeframe}"]`).click()
  const end = Date.now() - DAY
  await page.fill('[data-testid="bt-start"]', isoDay(end - (days - 1) * DAY))
  await page.fill('[data-testid="bt-end"]', isoDay(end))
  for (const [name, [start, stop, step]] of Object.entries(grid)) {
    await page.locator(`[data-testid="opt-row-${name}"] [role="radio"][data-value="range"]`).click()
    await page.fill(`[data-testid="opt-start-${name}"]`, String(start))
    await page.fill(`[data-testid="opt-stop-${name}"]`, String(stop))
    await page.fill(`[data-testid="opt-step-${name}"]`, String(step))
  }
}

async function launch() {
  const response = page.waitForResponse((r) => r.url().endsWith('/api/backtest-optimizations/') && r.request().method() === 'POST')
  await page.click('[data-testid="opt-launch"]')
  const res = await response
  assert.equal(res.status(), 201, await res.text())
  const body = await res.json()
  optimizations.add(body.id)
  return { id: body.id, request: res.request().postDataJSON() }
}

/** Largeurs : ni la page ni le contenu ne défilent horizontalement. */
async function assertNoHorizontalScroll(target, label) {
  const widths = await target.evaluate(() => {
    const main = document.querySelector('[data-testid="main-content"]')
    return { page: document.documentElement.scrollWidth, window: window.innerWidth, main: main.scrollWidth, mainClient: main.clientWidth }
  })
  assert.ok(widths.page <= widths.window, `${label} : la page défile horizontalement (${widths.page} > ${widths.window})`)
  assert.ok(widths.main <= widths.mainClient, `${label} : le contenu défile horizontalement (${widths.main} > ${widths.mainClient})`)
}

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page, credentials())
  const brokerResponse = await api('POST', '/api/brokers/', {
    name: BROKER_NAME, exchange: 'binance', api_key: 'demo-api-key', api_secret: 'demo-api-secret', is_testnet: false,
  })
  assert.equal(brokerResponse.status, 201, JSON.stringify(brokerResponse.data))
  broker = brokerResponse.data
  assert.ok((await loadPairs(page, broker.id)).total > 0)
  const template = await api('GET', '/api/strategies/template/')
  const strat = await api('POST', '/api/strategies/', { name: STRATEGY_NAME, timeframe: '5m', code: template.data.example_ema_cross })
  assert.equal(strat.status, 201, JSON.stringify(strat.data))
  strategy = (await api('GET', `/api/strategies/${strat.data.id}/`)).data
  assert.deepEqual(strategy.parameters.map((p) => [p.name, p.default]).slice(0, 2), [['fast', 10], ['slow', 20]])
})

after(async () => {
  if (page) {
    for (const id of optimizations) await api('DELETE', `/api/backtest-optimizations/${id}/`).catch(() => null)
    for (const id of backtests) await api('DELETE', `/api/backtests/${id}/`).catch(() => null)
    if (strategy) await api('DELETE', `/api/strategies/${strategy.id}/`).catch(() => null)
    if (broker) await api('DELETE', `/api/brokers/${broker.id}/`).catch(() => null)
  }
  await browser?.close()
})

test('grille 2 × 2 sur 2 jours en 5m : progression, meilleur run hors échantillon, tri, carte de chaleur, Appliquer', { timeout: 180_000 }, async () => {
  await page.goto(url('/backtest'))
  await page.locator('[data-testid="bt-mode"] [data-value="optimize"]').click()
  await page.locator('[data-testid="opt-grid"]').waitFor()
  await fillForm({ timeframe: '5m', days: 2, grid: { fast: [5, 10, 5], slow: [20, 30, 10] } })
  await page.locator('[data-testid="opt-count"][data-count="4"]').waitFor()
  await page.check('[data-testid="opt-oos"]')
  assert.equal(await page.inputValue('[data-testid="opt-test-ratio"]'), '0.3')
  const { id, request } = await launch()
  assert.deepEqual([request.grid, request.metric, request.test_ratio, request.max_runs], ['fast=5:10:5,slow=20:30:10', 'sharpe_ratio', 0.3, null])

  await page.locator('[data-testid="opt-status"][data-status="done"]').waitFor({ timeout: 120_000 })
  assert.equal((await page.locator('[data-testid="opt-runs"]').innerText()).trim(), '4 / 4 backtests')
  const row = (await api('GET', `/api/backtest-optimizations/${id}/`)).data
  assert.equal(row.status, 'done')
  assert.equal(row.result.runs.length, 4)

  // Meilleur run : paramètres, colonnes entraînement / hors échantillon.
  const summary = page.locator('[data-testid="opt-summary"]')
  if (row.result.best) {
    const expected = Object.entries(row.result.best.params).map(([k, v]) => `${k} = ${v}`).join(' · ')
    assert.equal((await summary.locator('[data-testid="opt-best-params"]').innerText()).trim(), expected)
    assert.ok(row.result.best.test_stats, `stats hors échantillon du meilleur run : ${JSON.stringify({ test_ratio: row.test_ratio, best: row.result.best, test_candles: row.result.test_candles })}`)
    assert.ok((await summary.locator('[data-testid="opt-best-stats"]').textContent()).includes('Hors échantillon'))
  } else {
    await summary.locator('[data-testid="opt-no-best"]').waitFor()
  }

  // Tableau : 4 runs, tri par P&L % (décroissant puis croissant), vides en bas.
  const rows = page.locator('[data-testid="opt-run-row"]')
  assert.equal(await rows.count(), 4)
  const pnlColumn = await page.locator('[data-testid="opt-table"] thead th').evaluateAll((ths) => ths.findIndex((th) => th.textContent.includes('P&L %')))
  const pnls = async () => (await rows.evaluateAll((trs, i) => trs.map((tr) => tr.children[i].textContent), pnlColumn)).map(parseFr)
  await page.click('[data-testid="opt-sort-total_pnl_pct"]')
  const desc = await pnls()
  const values = desc.filter((v) => v !== null)
  assert.deepEqual(values, [...values].sort((a, b) => b - a), `tri décroissant : ${desc}`)
  assert.deepEqual(desc.slice(values.length), desc.slice(values.length).map(() => null))
  await page.click('[data-testid="opt-sort-total_pnl_pct"]')
  const asc = (await pnls()).filter((v) => v !== null)
  assert.deepEqual(asc, [...asc].sort((a, b) => a - b))
  assert.equal(await page.locator('[data-testid="opt-table"] th[aria-sort="ascending"]').count(), 1)

  // Carte de chaleur 2 × 2, légende.
  const heat = page.locator('[data-testid="opt-heat-grid"]')
  assert.deepEqual([await heat.getAttribute('data-cols'), await heat.getAttribute('data-rows')], ['2', '2'])
  assert.equal(await page.locator('[data-testid="opt-heat-cell"]').count(), 4)
  const filled = await page.locator('[data-testid="opt-heat-cell"]:not([data-value=""])').count()
  if (filled) await page.locator('[data-testid="opt-heat-legend"]').waitFor()
  assert.deepEqual(page.errors, [])

  await setPageTheme(page, 'dark')
  await page.waitForTimeout(400)
  await screenshotContent(page, 'backtest-optimize-dark')
  await setPageTheme(page, 'light')
  await page.waitForTimeout(400)
  await screenshotContent(page, 'backtest-optimize-light')
  await setPageTheme(page, 'dark')

  // Appliquer (première ligne du tableau) : backtest complet avec ces valeurs, mode Backtest.
  const firstParams = row.result.runs.find((r) => !r.error)?.params
  assert.ok(firstParams, 'au moins un run sans erreur')
  await page.click('[data-testid="opt-sort-index"]') // ordre de la grille
  const posted = page.waitForResponse((r) => r.url().endsWith('/api/backtests/') && r.request().method() === 'POST')
  const target = rows.filter({ has: page.locator('[data-testid="opt-apply"]:not([disabled])') }).first()
  const targetIndex = Number(await target.getAttribute('data-index'))
  await target.locator('[data-testid="opt-apply"]').click()
  const res = await posted
  assert.equal(res.status(), 201, await res.text())
  const backtest = await res.json()
  backtests.add(backtest.id)
  const applied = row.result.runs[targetIndex - 1].params
  assert.deepEqual(res.request().postDataJSON().params, applied)
  assert.deepEqual(backtest.params, applied)
  await page.waitForURL((u) => !new URL(u).search.includes('mode=optimisation'))
  await page.locator('[data-testid="bt-status"]', { hasText: 'Terminé' }).waitFor({ timeout: 90_000 })
  await page.locator('[data-testid="bt-result-title"]', { hasText: `#${backtest.id}` }).waitFor()
  assert.ok((await page.locator('[data-testid="bt-result-title"]').innerText()).includes(`fast = ${applied.fast}`))
})

test('grande grille : reprise après rechargement, Annuler au milieu, suppression avec confirmation', { timeout: 180_000 }, async () => {
  await openOptimization()
  await fillForm({ timeframe: '5m', days: 30, grid: { fast: [2, 40, 1], slow: [20, 80, 5] } })
  await page.uncheck('[data-testid="opt-oos"]')
  const { id } = await launch()
  await page.locator('[data-testid="opt-cancel"]').waitFor()
  // Au milieu : calcul commencé (au moins un backtest fini), ou au plus tard après 60 s.
  await page.locator('[data-testid="opt-status"][data-status="running"]').waitFor({ timeout: 90_000 })
  // Rechargement : la page reprend le suivi de l'optimisation active (historique + WebSocket).
  await page.reload()
  await page.locator('[data-testid="opt-status"][data-status="running"]').waitFor({ timeout: 15_000 })
  await page.locator(`[data-testid="opt-history-${id}"]`).waitFor()
  await page.waitForFunction(() => !/^0 \//.test(document.querySelector('[data-testid="opt-runs"]')?.textContent.trim() ?? '0 /'), null, { timeout: 60_000 }).catch(() => null)
  await page.click('[data-testid="opt-cancel"]')
  await page.locator('[data-testid="opt-status"][data-status="cancelled"]').waitFor({ timeout: 10_000 })
  await page.locator('[data-testid="opt-cancelled"]').waitFor()
  assert.equal(await page.locator('[data-testid="opt-cancel"]').count(), 0)
  const row = (await api('GET', `/api/backtest-optimizations/${id}/`)).data
  assert.equal(row.status, 'cancelled')
  assert.ok(row.runs_done < row.runs_total, `annulée avant la fin (${row.runs_done} / ${row.runs_total})`)
  await page.locator(`[data-testid="opt-history-${id}"]`, { hasText: 'Annulé' }).waitFor()

  await page.locator(`[data-testid="opt-history-${id}"] [data-testid="opt-history-delete"]`).click()
  await page.locator('[data-testid="confirm-dialog"]').waitFor()
  await page.click('[data-testid="confirm-accept"]')
  await page.locator(`[data-testid="opt-history-${id}"]`).waitFor({ state: 'detached' })
  assert.equal((await api('GET', `/api/backtest-optimizations/${id}/`)).status, 404)
  optimizations.delete(id)
  assert.deepEqual(page.errors, [])
})

test('téléphone 390×844 et tablette 768×1024 : mode Optimisation sans défilement horizontal', { timeout: 120_000 }, async () => {
  for (const viewport of [{ width: 390, height: 844 }, { width: 768, height: 1024 }]) {
    const small = await newPage(browser, { viewport })
    try {
      await ensureLoggedIn(small, credentials())
      await openOptimization(small)
      // La dernière optimisation terminée s'ouvre : carte de chaleur et tableau.
      await small.locator('[data-testid="opt-heat-grid"]').waitFor({ timeout: 30_000 })
      await small.locator('[data-testid="opt-table"]').waitFor()
      await assertNoHorizontalScroll(small, `${viewport.width} px`)
      const heat = await small.locator('[data-testid="opt-heat-grid"]').boundingBox()
      assert.ok(heat.x >= 0 && heat.x + heat.width <= viewport.width, 'la carte de chaleur tient dans l’écran')
      if (viewport.width === 390) await screenshotContent(small, 'backtest-optimize-phone')
      assert.deepEqual(small.errors, [])
    } finally {
      await small.context().close()
    }
  }
})
