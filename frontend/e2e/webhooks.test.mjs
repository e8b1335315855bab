/**
 * Webhooks : URL et secret à coller dans TradingView, message d'alerte, « Envoyer un test » (la ligne
 * apparaît en direct dans le journal puis passe à son statut final quand le moteur l'a traitée),
 * liste d'IP (alerte refusée 403), régénération du jeton (l'ancienne URL répond 404).
 * Le moteur de trading doit tourner (scripts/e2e.sh le lance) pour le statut final.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, ensureLoggedIn, launchBrowser, newPage, openMenuPage, screenshotContent, setPageTheme } from './helpers.mjs'

const PAGE = MENU_PAGES.find((p) => p.slug === 'webhooks')
const FINAL_TIMEOUT = 45_000

let browser
let page

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page)
  await openMenuPage(page, PAGE)
  await page.locator('[data-testid="webhook-url"]').waitFor()
})

after(async () => {
  await browser?.close()
})

const config = () => page.evaluate(async () => (await fetch('/api/webhooks/config/')).json())
const liveOn = () => page.locator('[data-testid="log-live"]', { hasText: 'En direct' }).waitFor({ timeout: 20_000 })

/** Clique « Envoyer un test » et renvoie {status, id} lus dans le panneau de résultat. */
async function sendTest() {
  const previous = await page.locator('[data-testid="test-result"]').count() ? await page.locator('[data-testid="test-result"]').innerText() : ''
  await page.click('[data-testid="send-test"]')
  const result = page.locator('[data-testid="test-result"]')
  await page.waitForFunction((before) => {
    const el = document.querySelector('[data-testid="test-result"]')
    return el && el.innerText !== before
  }, previous)
  const text = await result.innerText()
  const status = Number(/HTTP (\d+)/.exec(text)?.[1])
  const id = Number(/Webhook n° (\d+)/.exec(text)?.[1]) || null
  return { status, id, text }
}

test('la page montre l’URL à coller dans TradingView, le secret masqué et le message d’alerte', { timeout: 30_000 }, async () => {
  const cfg = await config()
  const urlInput = page.locator('[data-testid="webhook-url"]')
  assert.equal(await urlInput.inputValue(), cfg.url)
  assert.match(cfg.url, /\/api\/webhooks\/receive\/[\w-]+\/$/)

  const secret = page.locator('[data-testid="webhook-secret"]')
  assert.match(await secret.inputValue(), /^•+$/, 'secret masqué par défaut')
  await page.click('[data-testid="reveal-secret"]')
  assert.equal(await secret.inputValue(), cfg.secret)
  await page.click('[data-testid="reveal-secret"]')

  const message = await page.locator('[data-testid="webhook-example-message"]').innerText()
  for (const placeholder of ['{{ticker}}', '{{strategy.order.action}}', '{{close}}', '{{timenow}}']) {
    assert.ok(message.includes(placeholder), `message d’alerte : ${placeholder}`)
  }
  assert.ok(message.includes(cfg.secret), 'le message contient le secret')
  assert.match(await page.locator('[data-testid="webhook-ip-allowlist"]').innerText(), /52\.89\.214\.238/)
})

test('« Envoyer un test » : la ligne apparaît en direct, puis passe à son statut final', { timeout: FINAL_TIMEOUT + 30_000 }, async () => {
  await liveOn()
  const { status, id, text } = await sendTest()
  assert.equal(status, 202, text)
  assert.ok(id, 'la réponse donne le n° du webhook')
  const row = page.locator(`[data-testid="webhook-row-${id}"]`)
  await row.waitFor({ timeout: 10_000 })
  assert.match(await row.innerText(), /test/)
  assert.match(await row.innerText(), /Achat BTCUSDT 10/)
  // Seul un message webhook.logged (moteur → WebSocket) fait évoluer le statut d'une ligne affichée.
  await page.locator(`[data-testid="webhook-row-${id}"]:is([data-status="done"], [data-status="error"])`).waitFor({ timeout: FINAL_TIMEOUT })
  const final = await row.getAttribute('data-status')
  const badge = await row.locator('[data-testid="webhook-status"]').innerText()
  assert.equal(badge.trim(), final === 'done' ? 'Exécuté' : 'Erreur')
  if (final === 'error') assert.match(await row.innerText(), /\S+/, 'message d’erreur affiché')

  await row.locator('[data-testid="payload-toggle"]').click()
  const detail = page.locator(`[data-testid="webhook-detail-${id}"]`)
  await detail.waitFor()
  assert.match(await detail.innerText(), /"id": "test-\d+"/)
  assert.doesNotMatch(await detail.innerText(), /"secret"/, 'le secret n’est pas réaffiché')
  await page.waitForTimeout(2800) // fin du surlignage
  await screenshotContent(page, 'webhooks-dark')
  await row.locator('[data-testid="payload-toggle"]').click()
})

test('filtres du journal : recherche texte et statut', { timeout: 30_000 }, async () => {
  const rows = page.locator('[data-testid^="webhook-row-"]')
  const firstId = (await rows.first().getAttribute('data-testid')).replace('webhook-row-', '')
  await page.fill('input[name="q"]', firstId)
  await page.waitForFunction((id) => {
    const all = [...document.querySelectorAll('[data-testid^="webhook-row-"]')]
    return all.length >= 1 && all.every((r) => r.dataset.testid === `webhook-row-${id}`)
  }, firstId)
  await page.fill('input[name="q"]', 'aucune-alerte-ne-contient-ceci')
  await page.locator('[data-testid="log-empty"]', { hasText: 'Aucun webhook ne correspond' }).waitFor()
  await page.fill('input[name="q"]', '')
  await page.locator('select[name="status"]').selectOption('duplicate')
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^="webhook-row-"]')].every((r) => r.dataset.status === 'duplicate'))
  await page.locator('select[name="status"]').selectOption('')
  await rows.first().waitFor()
})

test('liste d’IP active : l’alerte de ce navigateur est refusée (403) et journalisée « Rejeté »', { timeout: 40_000 }, async () => {
  const toggle = page.locator('[data-testid="ip-allowlist-switch"]')
  if ((await toggle.getAttribute('aria-checked')) !== 'true') await toggle.click()
  await page.locator('[data-testid="ip-allowlist-switch"][aria-checked="true"]').waitFor()
  assert.equal((await config()).ip_allowlist_enabled, true)
  try {
    const { status, text } = await sendTest()
    assert.equal(status, 403, text)
    assert.match(text, /Adresse IP non autorisée/)
    await page.locator('[data-testid^="webhook-row-"][data-status="rejected"]').first().waitFor({ timeout: 10_000 })
  } finally {
    await toggle.click()
    await page.locator('[data-testid="ip-allowlist-switch"][aria-checked="false"]').waitFor()
  }
})

test('« Régénérer le jeton » : confirmation, nouvelle URL, l’ancienne répond 404', { timeout: 30_000 }, async () => {
  const before = await config()
  await page.click('[data-testid="regenerate-token"]')
  const dialog = page.locator('[data-testid="confirm-dialog"]')
  await dialog.waitFor()
  assert.match(await dialog.innerText(), /cessera immédiatement de fonctionner/)
  await page.click('[data-testid="confirm-accept"]')
  await dialog.waitFor({ state: 'detached' })
  await page.waitForFunction((old) => document.querySelector('[data-testid="webhook-url"]').value !== old, before.url)
  const after = await config()
  assert.notEqual(after.url, before.url)
  assert.equal(after.secret, before.secret, 'le secret est gardé')
  assert.equal(await page.locator('[data-testid="webhook-url"]').inputValue(), after.url)
  const oldStatus = await page.evaluate(async ({ path, secret }) => {
    const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ secret, action: 'buy', symbol: 'BTCUSDT', amount: 10 }) })
    return r.status
  }, { path: new URL(before.url).pathname, secret: before.secret })
  assert.equal(oldStatus, 404)
})

test('thème clair', { timeout: 20_000 }, async () => {
  await setPageTheme(page, 'light')
  await screenshotContent(page, 'webhooks-light')
  await setPageTheme(page, 'dark')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})
