/**
 * Test de fumée : connexion, les 8 pages du menu, bascule et persistance du thème.
 * Lancement : E2E_BASE_URL=http://127.0.0.1:8079 E2E_USER=dac E2E_PASSWORD=… npm run test:e2e
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  BASE_URL,
  MENU_PAGES,
  currentTheme,
  launchBrowser,
  newPage,
  openMenuPage,
  screenshot,
  serverTheme,
  submitLogin,
  toggleTheme,
  url,
  waitForApp,
} from './helpers.mjs'

let browser
let page
let debugMode = false

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser)
})

after(async () => {
  await browser?.close()
})

test(`ouverture de ${BASE_URL} et connexion`, { timeout: 60_000 }, async () => {
  await page.goto(url('/'))
  const landed = await waitForApp(page)
  if (landed === 'login') {
    assert.equal(new URL(page.url()).pathname, '/login')
    await page.locator('h1', { hasText: 'Connexion' }).waitFor()
    await screenshot(page, `${await currentTheme(page)}-login`)

    await page.fill('input[name="username"]', 'utilisateur-inconnu')
    await page.fill('input[name="password"]', 'mauvais-mot-de-passe')
    await page.click('button[type="submit"]')
    const error = page.locator('[data-testid="login-error"]')
    await error.waitFor()
    assert.match(await error.innerText(), /\S/, 'le message d’erreur du backend doit s’afficher')

    await submitLogin(page)
  } else {
    debugMode = true
    await page.locator('[data-testid="dev-badge"]', { hasText: 'MODE DEV' }).waitFor()
  }
  assert.equal(new URL(page.url()).pathname, '/heartbeat')
  await page.locator('h1', { hasText: 'Heartbeat' }).waitFor()
  await page.locator('[data-testid="status-heartbeat"]').waitFor()
  assert.match(await page.locator('[data-testid="status-heartbeat"]').innerText(), /^Heartbeat (actif|inactif)$/)
})

test('les 8 entrées du menu mènent chacune à leur page', { timeout: 90_000 }, async () => {
  const labels = await page.locator('nav[aria-label="Menu principal"] a').allInnerTexts()
  assert.deepEqual(
    labels.map((l) => l.trim()),
    MENU_PAGES.map((p) => p.label),
  )
  const theme = await currentTheme(page)
  for (const entry of [...MENU_PAGES.slice(1), MENU_PAGES[0]]) {
    await openMenuPage(page, entry)
    assert.equal(await page.locator('h1').first().innerText(), entry.label)
    await screenshot(page, `${theme}-${entry.slug}`)
  }
})

test('la bascule de thème s’applique et persiste après rechargement', { timeout: 60_000 }, async () => {
  const before = await currentTheme(page)
  assert.ok(['dark', 'light'].includes(before))

  const after = await toggleTheme(page)
  assert.notEqual(after, before)
  assert.equal(await serverTheme(page), after)

  await page.reload()
  await waitForApp(page)
  await page.locator('h1', { hasText: 'Heartbeat' }).waitFor()
  assert.equal(await currentTheme(page), after)
  await screenshot(page, `${after}-heartbeat`)
  await openMenuPage(page, MENU_PAGES.at(-1))
  await screenshot(page, `${after}-mon-compte`)

  // Remet le thème d'origine pour les exécutions suivantes.
  await openMenuPage(page, MENU_PAGES[0])
  assert.equal(await toggleTheme(page), before)
})

test('déconnexion', { timeout: 30_000 }, async () => {
  await page.click('[data-testid="logout"]')
  if (debugMode) {
    await page.locator('text=reconnexion automatique').waitFor()
  } else {
    await page.waitForURL((u) => new URL(u).pathname === '/login')
    await page.goto(url('/backtest'))
    assert.equal(await waitForApp(page), 'login')
  }
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

