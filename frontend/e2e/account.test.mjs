/**
 * Mon Compte : broker ajouté avec les clés de démonstration du simulateur (vérification → solde →
 * enregistrement), « MAJ Paires de trading » jusqu'au bout, mauvais secret (erreur en français),
 * switch testnet, assistant IA (interrupteurs exclusifs), Telegram (format refusé, « Tester » sans
 * Telegram joignable : erreur française, jeton enregistré puis seulement masqué), mot de passe,
 * suppression confirmée.
 * Le backend doit pointer ARISTOBOT_BINANCE_REST_URL vers le simulateur (scripts/e2e.sh le fait).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, ensureLoggedIn, launchBrowser, newPage, openMenuPage, screenshotContent, setPageTheme } from './helpers.mjs'

const DEMO = { key: 'demo-api-key', secret: 'demo-api-secret' }
const BROKER_NAME = `E2E Binance ${Date.now().toString(36)}`
const ACCOUNT = MENU_PAGES.find((p) => p.slug === 'mon-compte')

let browser
let page

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
  await ensureLoggedIn(page)
  await openMenuPage(page, ACCOUNT)
  await page.locator('[data-testid="brokers-card"]').waitFor()
})

after(async () => {
  await browser?.close()
})

const modal = () => page.locator('[data-testid="broker-modal"]')
const row = () => page.locator(`[data-testid="broker-row-${BROKER_NAME}"]`)

async function openAddModal() {
  await page.click('[data-testid="add-broker"]')
  await modal().waitFor()
  // La liste des exchanges CCXT est chargée : Binance est sélectionnable.
  await modal().locator('select[name="exchange"] option[value="binance"]').waitFor({ state: 'attached' })
}

async function closeModal() {
  await modal().getByRole('button', { name: 'Annuler' }).click()
  await modal().waitFor({ state: 'detached' })
}

test('un mauvais secret affiche l’erreur de l’exchange en français', { timeout: 60_000 }, async () => {
  await openAddModal()
  await modal().locator('select[name="exchange"]').selectOption('binance')
  await modal().locator('input[name="name"]').fill(BROKER_NAME)
  await modal().locator('input[name="api_key"]').fill(DEMO.key)
  await modal().locator('input[name="api_secret"]').fill('mauvais-secret')
  await page.click('[data-testid="broker-check"]')
  const error = page.locator('[data-testid="broker-error"]')
  await error.waitFor({ timeout: 30_000 })
  assert.match(await error.innerText(), /^Erreur de connexion à Binance : /)
  assert.equal(await page.locator('[data-testid="broker-balance"]').count(), 0)
})

test('clés de démonstration : solde affiché, puis broker enregistré par défaut', { timeout: 60_000 }, async () => {
  await modal().locator('input[name="api_secret"]').fill(DEMO.secret)
  assert.equal(await page.locator('[data-testid="broker-error"]').count(), 1, 'l’erreur reste jusqu’à la nouvelle vérification')
  await page.click('[data-testid="broker-check"]')
  const balance = page.locator('[data-testid="broker-balance"]')
  await balance.waitFor({ timeout: 30_000 })
  assert.match(await balance.innerText(), /Connexion réussie à Binance/)
  assert.match(await page.locator('[data-testid="broker-balance-total"]').innerText(), /\d.*\$$/)
  assert.ok((await balance.locator('tbody tr').count()) > 0, 'au moins un actif dans le solde de démonstration')
  await screenshotContent(page, 'account-dark-broker-check')

  // Modifier un champ invalide la vérification : il faut revérifier.
  await modal().locator('input[name="name"]').fill(`${BROKER_NAME} `)
  await page.locator('[data-testid="broker-check"]').waitFor()
  await modal().locator('input[name="name"]').fill(BROKER_NAME)
  await page.click('[data-testid="broker-check"]')
  await page.locator('[data-testid="broker-save"]').waitFor({ timeout: 30_000 })
  await page.click('[data-testid="broker-save"]')
  await modal().waitFor({ state: 'detached' })

  await row().waitFor()
  const brokers = await page.evaluate(async () => (await fetch('/api/brokers/')).json())
  const saved = brokers.find((b) => b.name === BROKER_NAME)
  assert.ok(saved, 'le broker est enregistré côté serveur')
  assert.equal(saved.exchange, 'binance')
  if (brokers.length === 1) await row().locator('[data-testid="default-badge"]').waitFor()
})

test('« MAJ Paires de trading » va jusqu’au bout', { timeout: 90_000 }, async () => {
  await row().locator('[data-testid="update-pairs"]').click()
  const progress = row().locator('[data-testid="pairs-progress"]')
  await progress.waitFor()
  await row().locator('[data-testid="pairs-progress"][data-status="done"]').waitFor({ timeout: 60_000 })
  assert.match(await progress.innerText(), /^\d+ paires? enregistrées?$/)
  await page.waitForTimeout(400) // fin de l'animation de la barre
  await screenshotContent(page, 'account-dark-brokers')
})

test('le switch testnet est désactivé et expliqué pour un exchange sans sandbox', { timeout: 30_000 }, async () => {
  const exchanges = await page.evaluate(async () => (await fetch('/api/brokers/exchanges/')).json())
  const withoutSandbox = exchanges.find((e) => !e.sandbox)
  const withSandbox = exchanges.find((e) => e.id === 'binance')
  assert.ok(withoutSandbox && withSandbox?.sandbox)
  await openAddModal()
  const toggle = modal().locator('[data-testid="testnet-switch"]')
  assert.equal(await toggle.isDisabled(), false)
  await modal().locator('select[name="exchange"]').selectOption(withoutSandbox.id)
  assert.equal(await toggle.isDisabled(), true)
  assert.match(await modal().locator('[data-testid="testnet-help"]').innerText(), /ne propose pas de testnet/)
  await closeModal()
})

test('assistant IA : un seul fournisseur actif, les deux éteints = désactivé', { timeout: 30_000 }, async () => {
  const openrouter = page.locator('[data-testid="ai-openrouter"] [role="switch"]')
  const ollama = page.locator('[data-testid="ai-ollama"] [role="switch"]')
  const state = async () => [await openrouter.getAttribute('aria-checked'), await ollama.getAttribute('aria-checked')]
  if ((await openrouter.getAttribute('aria-checked')) === 'true') await openrouter.click()
  if ((await ollama.getAttribute('aria-checked')) === 'true') await ollama.click()
  assert.match(await page.locator('[data-testid="ai-status"]').innerText(), /désactivé/)

  await openrouter.click()
  assert.deepEqual(await state(), ['true', 'false'])
  await ollama.click()
  assert.deepEqual(await state(), ['false', 'true'])
  await page.click('[data-testid="ai-test"]')
  const result = page.locator('[data-testid="ai-test-result"]')
  await result.waitFor({ timeout: 30_000 })
  assert.match(await result.innerText(), /\S/, 'le test répond (succès ou message français)')
  await ollama.click()
  assert.deepEqual(await state(), ['false', 'false'])
  assert.match(await page.locator('[data-testid="ai-status"]').innerText(), /désactivé/)
})

test('Telegram : jeton refusé en ligne, « Tester » injoignable en français, jeton enregistré puis masqué', { timeout: 45_000 }, async () => {
  const TOKEN = '7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0'
  const secret = TOKEN.split(':')[1]
  const card = page.locator('[data-testid="telegram-card"]')
  const toggle = card.locator('[role="switch"]')
  const tokenInput = card.locator('input[name="telegram_bot_token"]')
  await card.scrollIntoViewIfNeeded()
  await tokenInput.fill('pas-un-jeton')
  await card.locator('input[name="telegram_chat_id"]').fill('123456789')
  await card.locator('[data-testid="telegram-test"]').click()
  assert.match(await card.locator('.field__error').first().innerText(), /^Jeton de bot invalide/)

  // La pile e2e pointe ARISTOBOT_TELEGRAM_API_URL vers un port où rien n'écoute.
  await tokenInput.fill(TOKEN)
  await card.locator('[data-testid="telegram-test"]').click()
  const result = card.locator('[data-testid="telegram-test-result"]')
  await result.waitFor({ timeout: 30_000 })
  const text = await result.innerText()
  assert.match(text, /^(Telegram injoignable à \S+ \(\w+\) : vérifiez la connexion Internet du serveur\.|Délai dépassé en attendant Telegram .*|Jeton du bot refusé par Telegram .*)$/)
  assert.ok(!text.includes(secret), 'le jeton n’apparaît pas dans le résultat')

  await toggle.click()
  assert.equal(await toggle.getAttribute('aria-checked'), 'true')
  await card.locator('[data-testid="telegram-save"]').click()
  await card.locator('input[name="telegram_bot_token"][placeholder^="Enregistré (****saw0)"]').waitFor()
  assert.equal(await tokenInput.inputValue(), '')
  const me = await page.evaluate(async () => (await fetch('/api/auth/me/')).json())
  assert.equal(me.user.telegram_enabled, true)
  assert.equal(me.user.telegram_bot_token_hint, '****saw0')
  assert.ok(!JSON.stringify(me).includes(secret), 'le jeton n’est jamais renvoyé')
  await screenshotContent(page, 'account-dark-telegram')

  await toggle.click()
  await card.locator('[data-testid="telegram-save"]').click()
  await card.locator('[data-testid="telegram-save"]:disabled').waitFor()
  assert.match(await card.locator('[data-testid="telegram-status"]').innerText(), /désactivées/)
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

test('mot de passe : l’erreur du serveur s’affiche dans le formulaire', { timeout: 30_000 }, async () => {
  const form = page.locator('[data-testid="password-form"]')
  await form.locator('input[name="current_password"]').fill('pas-le-bon-mot-de-passe')
  await form.locator('input[name="new_password"]').fill('Nouveau-Passe-2026!')
  await form.locator('input[name="confirm_password"]').fill('Nouveau-Passe-2026!')
  await form.getByRole('button', { name: 'Changer le mot de passe' }).click()
  const error = page.locator('[data-testid="password-error-current"]')
  await error.waitFor()
  assert.equal(await error.innerText(), 'Mot de passe actuel incorrect.')
})

test('captures du thème clair', { timeout: 60_000 }, async () => {
  await setPageTheme(page, 'light')
  await screenshotContent(page, 'account-light-brokers')
  await row().locator('[data-testid="edit-broker"]').click()
  await modal().waitFor()
  await page.click('[data-testid="broker-check"]')
  await page.locator('[data-testid="broker-balance"]').waitFor({ timeout: 30_000 })
  await screenshotContent(page, 'account-light-broker-check')
  await closeModal()
  await setPageTheme(page, 'dark')
})

test('suppression du broker après confirmation dans une vraie boîte de dialogue', { timeout: 30_000 }, async () => {
  await row().locator('[data-testid="delete-broker"]').click()
  const dialog = page.locator('[data-testid="confirm-dialog"]')
  await dialog.waitFor()
  assert.match(await dialog.innerText(), new RegExp(BROKER_NAME))
  await dialog.getByRole('button', { name: 'Annuler' }).click()
  await dialog.waitFor({ state: 'detached' })
  assert.equal(await row().count(), 1)

  await row().locator('[data-testid="delete-broker"]').click()
  await page.click('[data-testid="confirm-accept"]')
  await dialog.waitFor({ state: 'detached' })
  await row().waitFor({ state: 'detached' })
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

test('utilisateurs (administrateur) : créer un compte, changer son mot de passe, le supprimer après confirmation', { timeout: 60_000 }, async () => {
  const name = `e2e${Date.now().toString(36)}`
  const card = page.locator('[data-testid="users-card"]')
  await card.waitFor()
  await card.locator('[data-testid="add-user"]').click()
  const form = page.locator('[data-testid="user-modal"]')
  await form.waitFor()
  await form.locator('input[name="username"]').fill(name)
  await form.locator('input[name="password"]').fill('123')
  await form.locator('input[name="confirm"]').fill('123')
  await form.locator('[data-testid="user-submit"]').click()
  // Mot de passe refusé par les validateurs de Django : message français sous le champ.
  assert.match(await form.locator('[data-testid="user-error-password"]').innerText(), /\S/)
  await form.locator('input[name="password"]').fill('Un-Passe-Solide-2026')
  await form.locator('input[name="confirm"]').fill('Un-Passe-Solide-2026')
  await form.locator('[data-testid="user-submit"]').click()
  await form.waitFor({ state: 'detached' })
  const userRow = card.locator(`[data-testid="user-row-${name}"]`)
  await userRow.waitFor()
  assert.match(await userRow.innerText(), /Utilisateur/)

  await userRow.locator('[data-testid="user-password"]').click()
  await form.waitFor()
  await form.locator('input[name="password"]').fill('Autre-Passe-Solide-2026')
  await form.locator('input[name="confirm"]').fill('Autre-Passe-Solide-2026')
  await form.locator('[data-testid="user-submit"]').click()
  await form.waitFor({ state: 'detached' })

  await userRow.locator('[data-testid="user-delete"]').click()
  const dialog = page.locator('[data-testid="confirm-dialog"]')
  await dialog.waitFor()
  assert.match(await dialog.innerText(), new RegExp(`Supprimer définitivement « ${name} »`))
  await page.click('[data-testid="confirm-accept"]')
  await dialog.waitFor({ state: 'detached' })
  await userRow.waitFor({ state: 'detached' })
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})
