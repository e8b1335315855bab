/**
 * Trading manuel contre le simulateur Binance de la pile e2e : broker créé par l'API avec les clés de
 * démonstration, paires chargées (« MAJ Paires »), portefeuille, achat de 100 USD de BTC/USDT
 * confirmé dans une vraie modale, ordre trop petit refusé en français (nombres à virgule), ordre
 * limite annulé, protections SL/TP d'une stratégie signalées (badge, avertissement avant annulation),
 * captures sombre et clair. Le backend doit viser le simulateur (scripts/e2e.sh le fait).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, apiCall, ensureLoggedIn, launchBrowser, loadPairs, newPage, openMenuPage, screenshotContent, setPageTheme } from './helpers.mjs'

const DEMO = { key: 'demo-api-key', secret: 'demo-api-secret' }
const BROKER_NAME = `E2E Trading ${Date.now().toString(36)}`
const PAGE = MENU_PAGES.find((p) => p.slug === 'trading-manuel')

let browser
let page
let broker
let strategy = null
let activeId = null

/** Appel JSON à l'API depuis la page (voir `apiCall`). */
const api = (method, path, body) => apiCall(page, method, path, body)


const row = (asset) => page.locator(`[data-testid="portfolio-row-${asset}"]`)
const freeOf = async (asset) => ((await row(asset).count()) ? Number(await row(asset).locator('[data-col="free"]').getAttribute('data-value')) : 0)
const result = () => page.locator('[data-testid="order-result"]')
const dialog = () => page.locator('[data-testid="order-confirm-dialog"]')

/** Saisit un ordre, ouvre la confirmation par le bouton du sens, confirme, attend le résultat. */
async function sendOrder(side, fill) {
  const previous = (await result().count()) ? await result().innerText() : null
  await fill()
  await page.click(`[data-testid="order-${side}"]`)
  await dialog().waitFor()
  const summary = await dialog().innerText()
  await page.click('[data-testid="order-confirm"]')
  await dialog().waitFor({ state: 'detached', timeout: 30_000 })
  await page.waitForFunction((before) => {
    const el = document.querySelector('[data-testid="order-result"]')
    return el && el.textContent.trim() !== before
  }, previous?.trim() ?? null)
  return { summary, ok: (await result().getAttribute('data-ok')) === 'true', message: (await result().innerText()).trim() }
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
})

after(async () => {
  if (activeId) {
    await api('POST', `/api/active-strategies/${activeId}/stop/`, { confirm: true }).catch(() => null)
    await api('POST', `/api/active-strategies/${activeId}/sell/`).catch(() => null)
    await api('DELETE', `/api/active-strategies/${activeId}/`).catch(() => null)
  }
  if (strategy) await api('DELETE', `/api/strategies/${strategy.id}/`).catch(() => null)
  if (broker) await api('DELETE', `/api/brokers/${broker.id}/`).catch(() => null)
  await browser?.close()
})

test('la page s’ouvre sur le broker par défaut, puis affiche le portefeuille du broker choisi', { timeout: 60_000 }, async () => {
  await openMenuPage(page, PAGE)
  const select = page.locator('[data-testid="broker-select"]')
  await select.waitFor()
  const listed = await api('GET', '/api/brokers/')
  const preferred = listed.data.find((b) => b.is_default)
  assert.ok(preferred, 'un broker par défaut existe (le premier créé le devient)')
  assert.equal(Number(await select.inputValue()), preferred.id, 'le broker par défaut est pré-sélectionné')
  await select.selectOption(String(broker.id))
  await row('USDT').waitFor({ timeout: 30_000 })
  const portfolio = await api('GET', `/api/trading-manual/portfolio/?broker=${broker.id}`)
  const usdt = portfolio.data.balances.find((b) => b.asset === 'USDT')
  assert.equal(await freeOf('USDT'), usdt.free, 'le solde USDT affiché est celui de l’exchange')
  if (usdt.free === 10000) assert.match(await row('USDT').innerText(), /10\s000/)
  assert.match(await page.locator('[data-testid="portfolio-total"]').innerText(), /\d.*\$$/)
  // Paires de l'exchange : recherche puis sélection
  await page.fill('[data-testid="symbol-search"]', 'BTC')
  await page.locator('[data-testid="symbol-BTC/USDT"]').click()
  await page.locator('[data-testid="selected-symbol"]', { hasText: 'BTC/USDT' }).waitFor()
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="ticker-price"]')?.textContent ?? ''))
  assert.match(await page.locator('[data-testid="ticker-time"]').innerText(), /^\d{2}:\d{2}:\d{2}$/)
})

test('100 USD saisis : quantité calculée, achat confirmé, BTC en hausse au portefeuille', { timeout: 90_000 }, async () => {
  const btcBefore = await freeOf('BTC')
  const order = await sendOrder('buy', async () => {
    await page.fill('[data-testid="order-quote"]', '100')
    const quantity = Number(await page.locator('[data-testid="order-quantity"]').inputValue())
    const last = Number((await page.locator('[data-testid="ticker-price"]').innerText()).replace(/[^\d,]/g, '').replace(',', '.'))
    assert.ok(quantity > 0, 'la quantité est calculée depuis le montant')
    assert.ok(Math.abs(quantity * last - 100) < last * 0.00002 + 0.5, `${quantity} × ${last} ≈ 100`)
    await screenshotContent(page, 'trading-manual-dark-form')
  })
  assert.match(order.summary, /achat/i)
  assert.match(order.summary, /BTC\/USDT/)
  assert.match(order.summary, /100,00\sUSDT/)
  assert.ok(order.ok, order.message)
  assert.match(order.message, /^Achat exécuté : .* BTC à .* USDT/)
  await page.getByRole('alert').filter({ hasText: 'Achat exécuté' }).first().waitFor()
  await page.waitForFunction(
    (before) => Number(document.querySelector('[data-testid="portfolio-row-BTC"] [data-col="free"]')?.dataset.value ?? 0) > before,
    btcBefore,
    { timeout: 30_000 },
  )
  await page.locator('[data-testid="recent-trades"] tbody tr[data-status="filled"]').first().waitFor()
  await screenshotContent(page, 'trading-manual-dark')
})

test('un ordre trop petit affiche l’erreur française de l’API (nombres à virgule) et reste au journal', { timeout: 60_000 }, async () => {
  const order = await sendOrder('buy', async () => {
    await page.fill('[data-testid="order-quote"]', '1,5')
    await page.locator('[data-testid="order-warning"]').waitFor()
  })
  assert.equal(order.ok, false)
  assert.equal(order.message, 'Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 1,5 USDT).')
  await page.getByRole('alert').filter({ hasText: 'Montant trop faible' }).first().waitFor()
  await page.locator('[data-testid="trade-error"]', { hasText: 'Montant trop faible : minimum 5 USDT' }).first().waitFor()
})

test('ordre limite sous le marché : ouvert, puis annulé après confirmation', { timeout: 60_000 }, async () => {
  const order = await sendOrder('buy', async () => {
    await page.locator('[data-testid="order-type"] [data-value="limit"]').click()
    const limit = Number((await page.locator('[data-testid="order-price"]').inputValue()).replace(',', '.'))
    assert.ok(limit > 0, 'le prix limite est pré-rempli au dernier prix')
    await page.fill('[data-testid="order-price"]', (Math.floor(limit * 0.8 * 100) / 100).toFixed(2))
    await page.fill('[data-testid="order-quantity"]', '0.001')
  })
  assert.ok(order.ok, order.message)
  assert.match(order.message, /^Ordre limite placé : achat de 0,001 BTC/)
  const openRow = page.locator('[data-testid="open-orders"] tbody tr').first()
  await openRow.waitFor({ timeout: 30_000 })
  await screenshotContent(page, 'trading-manual-dark-open-order')
  const count = await page.locator('[data-testid="open-orders"] tbody tr').count()
  await openRow.locator('[data-testid="cancel-order"]').click()
  await page.locator('[data-testid="confirm-dialog"]').waitFor()
  await page.click('[data-testid="confirm-accept"]')
  await page.locator('[data-testid="confirm-dialog"]').waitFor({ state: 'detached', timeout: 30_000 })
  await page.waitForFunction(
    (before) => document.querySelectorAll('[data-testid="open-orders"] tbody tr').length < before,
    count,
  )
  await page.locator('[data-testid="recent-trades"] tbody tr[data-status="canceled"]').first().waitFor()
  await page.locator('[data-testid="order-type"] [data-value="market"]').click()
})

test('protections SL/TP d’une stratégie : badge dans les ordres ouverts, avertissement avant de les annuler', { timeout: 120_000 }, async () => {
  const code = 'class AchatProtege(Strategy):\n    def should_long(self):\n        return self.position is None\n'
    + '    def calculate_position_size(self):\n        return 20\n    def calculate_stop_loss(self):\n        return 0.2\n'
    + '    def calculate_take_profit(self):\n        return 0.2\n'
  const name = `E2E protection ${Date.now().toString(36)}`
  const strat = await api('POST', '/api/strategies/', { name, timeframe: '1m', code })
  assert.equal(strat.status, 201, JSON.stringify(strat.data))
  strategy = strat.data
  const now = Date.now()
  const activation = await api('POST', '/api/active-strategies/', {
    strategy: strategy.id, broker: broker.id, symbol: 'BTC/USDT', is_active: true,
    start_date: new Date(now - 60_000).toISOString(), end_date: new Date(now + 86_400_000).toISOString(),
  })
  assert.equal(activation.status, 201, JSON.stringify(activation.data))
  activeId = activation.data.id
  // Le moteur achète au prochain signal 1m puis pose l'OCO (SL/TP) sur l'exchange.
  let position = null
  for (let i = 0; i < 60 && !(position?.protection_mode === 'exchange'); i += 1) {
    await page.waitForTimeout(1000)
    position = (await api('GET', `/api/active-strategies/${activeId}/`)).data.position
  }
  assert.equal(position?.protection_mode, 'exchange', 'position protégée par une OCO sur l’exchange')
  // Plus d'achat : la protection reste, la stratégie ne bouge plus pendant la vérification.
  await api('POST', `/api/active-strategies/${activeId}/suspend/`)

  await page.getByRole('button', { name: 'Relire les ordres ouverts' }).click()
  const protectedRow = page.locator(`[data-testid="open-orders"] tr[data-protection="stop_loss"]`)
  await protectedRow.waitFor({ timeout: 15_000 })
  assert.equal(await protectedRow.locator('[data-testid="protection-badge"]').innerText(), `Protection SL/TP — stratégie « ${name} »`)
  assert.match(await protectedRow.innerText(), /OCO · Stop loss/)
  assert.match(await protectedRow.innerText(), /Vente/i)
  await page.locator(`[data-testid="open-orders"] tr[data-protection="take_profit"]`).waitFor()
  await screenshotContent(page, 'trading-manual-dark-protection')

  await protectedRow.locator('[data-testid="cancel-order"]').click()
  const confirm = page.locator('[data-testid="confirm-dialog"]')
  await confirm.waitFor()
  assert.match(await confirm.innerText(), /Annuler une protection SL\/TP \?/)
  const warning = await page.locator('[data-testid="cancel-protection-warning"]').innerText()
  assert.match(warning, new RegExp(`protège la position de la stratégie « ${name} »`))
  assert.match(warning, /le stop loss et le take profit seront annulés ensemble/)
  await confirm.getByRole('button', { name: 'Garder' }).click()
  await confirm.waitFor({ state: 'detached' })
  const orders = (await api('GET', `/api/trading-manual/open-orders/?broker=${broker.id}`)).data
  assert.equal(orders.filter((o) => o.origin?.active_strategy_id === activeId).length, 2, 'rien n’a été annulé')
})

test('captures : modale de confirmation et thème clair', { timeout: 60_000 }, async () => {
  await page.fill('[data-testid="order-quote"]', '250')
  await page.click('[data-testid="order-sell"]')
  await dialog().waitFor()
  await screenshotContent(page, 'trading-manual-dark-confirm')
  await dialog().getByRole('button', { name: 'Annuler' }).first().click()
  await dialog().waitFor({ state: 'detached' })
  await page.locator('.modal-backdrop').waitFor({ state: 'detached' })
  await page.waitForTimeout(300) // fin du fondu de la modale
  await setPageTheme(page, 'light')
  await screenshotContent(page, 'trading-manual-light')
  await setPageTheme(page, 'dark')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})
