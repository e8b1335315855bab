/**
 * Trading BOT contre la pile e2e complète (simulateur Binance ×60, heartbeat, trading engine) :
 * broker de démonstration et paires chargés par l'API, stratégie « achat si à plat, 20 USDT, 1m »
 * créée par l'API ; sur la page : validation française, activation sur BTC/USDT, « Stratégies live »
 * du header, position ouverte par le moteur, Suspendre / Reprendre, Vendre (confirmation avec
 * quantité et valeur), Stop (avertissement renforcé si une position est ouverte), Supprimer ;
 * captures sombre et clair.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, apiCall, ensureLoggedIn, launchBrowser, loadPairs, newPage, openMenuPage, screenshotContent, setPageTheme } from './helpers.mjs'

const DEMO = { key: 'demo-api-key', secret: 'demo-api-secret' }
const SUFFIX = Date.now().toString(36)
const BROKER_NAME = `E2E Bot ${SUFFIX}`
const STRATEGY_NAME = `E2E Achat à plat ${SUFFIX}`
const STRATEGY_CODE = `
class AchatSiAPlat(Strategy):
    def should_long(self):
        return self.position is None

    def calculate_position_size(self):
        return 20

    def calculate_stop_loss(self):
        return 0.2

    def calculate_take_profit(self):
        return 0.2
`
const PAGE = MENU_PAGES.find((p) => p.slug === 'trading-bot')
const POSITION_TIMEOUT = 60_000

let browser
let page
let broker
let strategy
let activeId = null
let liveBefore = 0

/** Appel JSON à l'API depuis la page (voir `apiCall`). */
const api = (method, path, body) => apiCall(page, method, path, body)


const card = () => page.locator(`[data-testid="bot-strategy-${activeId}"]`)
const dialog = () => page.locator('[data-testid="confirm-dialog"]')
const liveLabel = (n) => `Stratégies live : ${n}`

async function waitState(state, timeout = 15_000) {
  await card().and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout })
}

async function waitHeaderLive(n) {
  await page.locator('[data-testid="status-live"]', { hasText: liveLabel(n) }).waitFor({ timeout: 15_000 })
}

/** Capture dans un thème (le temps que les transitions de couleur se terminent). */
async function themedScreenshot(theme, name) {
  await setPageTheme(page, theme)
  await page.waitForTimeout(600)
  await screenshotContent(page, name)
}

/** Confirme la modale ouverte ; si le serveur exige l'avertissement renforcé (409), le confirme aussi. */
async function confirmDialog() {
  await page.click('[data-testid="confirm-accept"]')
  for (let i = 0; i < 2; i += 1) {
    const outcome = await Promise.race([
      dialog().waitFor({ state: 'detached', timeout: 30_000 }).then(() => 'closed'),
      page.locator('[data-testid="bot-confirm-stop-position"] .bot-confirm__server').waitFor({ timeout: 30_000 }).then(() => 'stronger'),
    ])
    if (outcome === 'closed') return
    await page.click('[data-testid="confirm-accept"]')
  }
  await dialog().waitFor({ state: 'detached', timeout: 30_000 })
}

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page)
  const created = await api('POST', '/api/brokers/', {
    name: BROKER_NAME, exchange: 'binance', api_key: DEMO.key, api_secret: DEMO.secret, is_testnet: false,
  })
  assert.equal(created.status, 201, JSON.stringify(created.data))
  broker = created.data
  const job = await loadPairs(page, broker.id)
  assert.ok(job.total > 0)
  const strat = await api('POST', '/api/strategies/', { name: STRATEGY_NAME, timeframe: '1m', description: 'e2e Trading BOT', code: STRATEGY_CODE })
  assert.equal(strat.status, 201, JSON.stringify(strat.data))
  strategy = strat.data
  liveBefore = (await api('GET', '/api/status/')).data.live_strategies
})

after(async () => {
  if (page && activeId) {
    await api('POST', `/api/active-strategies/${activeId}/stop/`, { confirm: true }).catch(() => null)
    await api('POST', `/api/active-strategies/${activeId}/sell/`).catch(() => null)
    await api('DELETE', `/api/active-strategies/${activeId}/`).catch(() => null)
  }
  if (page && strategy) await api('DELETE', `/api/strategies/${strategy.id}/`).catch(() => null)
  if (page && broker) await api('DELETE', `/api/brokers/${broker.id}/`).catch(() => null)
  await browser?.close()
})

test('formulaire : stratégie et son unité de temps, broker, symbole recherché, dates validées en français', { timeout: 60_000 }, async () => {
  await openMenuPage(page, PAGE)
  await page.locator('[data-testid="bot-activation-form"]').waitFor()
  await page.locator(`[data-testid="bot-strategy-select"] option[value="${strategy.id}"]`).waitFor({ state: 'attached' })
  await page.selectOption('[data-testid="bot-strategy-select"]', String(strategy.id))
  assert.equal(await page.locator('[data-testid="bot-strategy-timeframe"]').innerText(), '1m')
  await page.selectOption('[data-testid="bot-broker-select"]', String(broker.id))
  await page.fill('[data-testid="bot-symbol-search"]', 'BTC/USDT')
  await page.locator('[data-testid="bot-symbol-BTC/USDT"]').click()
  assert.equal((await page.locator('[data-testid="bot-symbol-selected"]').innerText()).trim(), 'BTC/USDT')
  // Début par défaut ≈ maintenant ; fin avant le début : erreur française, rien n'est envoyé.
  const start = await page.inputValue('[data-testid="bot-start"]')
  assert.match(start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
  // Chaque champ dit dans quel fuseau il se lit (celui de Mon Compte).
  const zone = await page.getAttribute('[data-testid="bot-start"]', 'data-zone')
  const suffix = zone === 'local' ? '(heure locale)' : '(UTC)'
  for (const id of ['bot-start', 'bot-end']) {
    assert.ok((await page.locator(`label:has([data-testid="${id}"]) .field__label`).textContent()).includes(suffix), `${id} ${suffix}`)
  }
  await page.fill('[data-testid="bot-end"]', start.replace(/^(\d{4})/, (y) => String(Number(y) - 1)))
  await page.click('[data-testid="bot-activate"]')
  await page.locator('[data-testid="bot-end-error"]', { hasText: 'La date de fin doit être postérieure à la date de début.' }).waitFor()
  await page.getByRole('button', { name: '30 j' }).click()
  assert.equal(await page.locator('[data-testid="bot-end-error"]').count(), 0)
})

test('Activer : la stratégie est listée, active, et le header compte une stratégie live de plus', { timeout: 60_000 }, async () => {
  const posted = page.waitForResponse((r) => r.url().endsWith('/api/active-strategies/') && r.request().method() === 'POST')
  const start = await page.inputValue('[data-testid="bot-start"]')
  const zone = await page.getAttribute('[data-testid="bot-start"]', 'data-zone')
  await page.click('[data-testid="bot-activate"]')
  const response = await posted
  assert.equal(response.status(), 201, await response.text())
  // L'API reçoit l'instant exact de la saisie, lue dans le fuseau affiché.
  const expected = await page.evaluate(([text, tz]) => (tz === 'local' ? new Date(text) : new Date(`${text}Z`)).toISOString(), [start, zone])
  assert.equal(response.request().postDataJSON().start_date, expected)
  activeId = (await response.json()).id
  await card().waitFor()
  await waitState('active')
  assert.match(await card().innerText(), new RegExp(`${STRATEGY_NAME}[\\s\\S]*1m[\\s\\S]*BTC/USDT[\\s\\S]*${BROKER_NAME}`))
  await waitHeaderLive(liveBefore + 1)
  await page.getByRole('alert').filter({ hasText: 'activée' }).first().waitFor()
})

test('le moteur ouvre une position (signal 1m du heartbeat) : quantité, entrée, P&L latent, trade d’achat', { timeout: POSITION_TIMEOUT + 30_000 }, async () => {
  await card().locator('[data-testid="bot-position"]').waitFor({ timeout: POSITION_TIMEOUT })
  const qty = await card().locator('[data-testid="bot-position-qty"]').innerText()
  assert.match(qty, /\d.*BTC/)
  await card().locator('[data-testid="bot-trades"] tr[data-side="buy"][data-status="filled"]').first().waitFor()
  assert.notEqual((await card().locator('[data-testid="bot-last-run"]').innerText()).trim(), 'jamais')
  await page.waitForFunction(
    (id) => /\d/.test(document.querySelector(`[data-testid="bot-strategy-${id}"] [data-testid="bot-position-pnl"]`)?.textContent ?? ''),
    activeId,
    { timeout: 30_000 },
  )
  await themedScreenshot('dark', 'trading-bot-dark')
  await themedScreenshot('light', 'trading-bot-light')
  await setPageTheme(page, 'dark')
})

test('Suspendre puis Reprendre : badge et compteur du header suivent', { timeout: 60_000 }, async () => {
  await card().locator('[data-testid="bot-suspend"]').click()
  await waitState('suspended')
  assert.equal((await card().locator('[data-testid="bot-state"]').innerText()).trim(), 'Suspendue')
  await waitHeaderLive(liveBefore)
  await card().locator('[data-testid="bot-resume"]').click()
  await waitState('active')
  await waitHeaderLive(liveBefore + 1)
})

test('Vendre : confirmation avec quantité et valeur estimée, position vendue au marché', { timeout: 90_000 }, async () => {
  await card().locator('[data-testid="bot-sell"]').waitFor({ timeout: POSITION_TIMEOUT })
  const position = (await api('GET', `/api/active-strategies/${activeId}/`)).data.position
  await card().locator('[data-testid="bot-sell"]').click()
  await page.locator('[data-testid="bot-confirm-sell"]').waitFor()
  assert.match(await page.locator('[data-testid="bot-sell-qty"]').innerText(), /\d.*BTC/)
  assert.match(await page.locator('[data-testid="bot-sell-value"]').innerText(), /≈\s*\d.*USDT/)
  assert.equal(await page.locator('[data-testid="bot-sell-after"]').innerText(), 'La stratégie reste active et peut reprendre position au prochain signal.')
  await screenshotContent(page, 'trading-bot-dark-sell')
  await page.click('[data-testid="confirm-accept"]')
  await dialog().waitFor({ state: 'detached', timeout: 30_000 })
  await page.getByRole('alert').filter({ hasText: 'Position vendue au marché' }).first().waitFor()
  const sold = (await api('GET', `/api/trades/?active_strategy=${activeId}&page_size=50`)).data.results
  const exit = sold.find((t) => t.side === 'sell' && t.role === 'exit' && t.status === 'filled')
  assert.ok(exit, 'un trade de vente (sortie) exécuté est au journal')
  const closed = (await api('GET', `/api/active-strategies/${activeId}/`)).data
  assert.ok(!closed.position || closed.position.id !== position.id, 'la position vendue est close')
  await card().locator(`[data-testid="bot-trade-${exit.id}"]`).waitFor()
  await waitState('active') // la stratégie reste active
})

test('Stop : confirmation (renforcée si une position est ouverte), Arrêtée, header revenu au départ', { timeout: 150_000 }, async () => {
  // Le moteur rachète au signal suivant : Stop avec une position ouverte (avertissement renforcé).
  await card().locator('[data-testid="bot-sell"]').waitFor({ timeout: POSITION_TIMEOUT })
  await card().locator('[data-testid="bot-stop"]').click()
  await page.locator('[data-testid="bot-confirm-stop"], [data-testid="bot-confirm-stop-position"]').first().waitFor()
  const stopText = await dialog().innerText()
  assert.match(stopText, /ne prendra plus aucun signal/)
  assert.doesNotMatch(stopText, /2001|01\.01/, 'la date de fin interne du Stop n’est pas montrée')
  await confirmDialog()
  await waitState('stopped')
  assert.equal((await card().locator('[data-testid="bot-state"]').innerText()).trim(), 'Arrêtée')
  await waitHeaderLive(liveBefore)
  await page.getByRole('alert').filter({ hasText: 'arrêtée' }).first().waitFor()
  // Une position restée ouverte après l'arrêt se vend ; la suppression attend qu'il n'y en ait plus.
  if (await card().locator('[data-testid="bot-sell"]').count()) {
    await card().locator('[data-testid="bot-sell"]').click()
    await page.locator('[data-testid="bot-confirm-sell"]').waitFor()
    // Stratégie arrêtée : la confirmation le dit, jamais « La stratégie reste active ».
    const sellText = await page.locator('[data-testid="bot-confirm-sell"]').innerText()
    assert.match(sellText, /La stratégie est arrêtée : elle ne reprendra pas de position\./)
    assert.doesNotMatch(sellText, /reste active/)
    await page.click('[data-testid="confirm-accept"]')
    await dialog().waitFor({ state: 'detached', timeout: 30_000 })
  }
  await card().locator('[data-testid="bot-no-position"]').waitFor({ timeout: 30_000 })
  await screenshotContent(page, 'trading-bot-dark-stopped')
})

test('Supprimer une stratégie arrêtée (confirmation) ; aucune erreur JavaScript', { timeout: 60_000 }, async () => {
  await card().locator('[data-testid="bot-delete"]').click()
  await page.locator('[data-testid="bot-confirm-delete"]').waitFor()
  await page.click('[data-testid="confirm-accept"]')
  await card().waitFor({ state: 'detached', timeout: 15_000 })
  activeId = null
  assert.deepEqual(page.errors.map(String), [])
})
