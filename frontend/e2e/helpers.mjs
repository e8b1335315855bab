/**
 * Outils partagés des tests de bout en bout (Playwright + Chromium Debian, sans téléchargement).
 *
 * Variables d'environnement :
 *   E2E_BASE_URL   URL du Daphne servant l'application (défaut http://127.0.0.1:8000)
 *   E2E_USER       identifiant de connexion (défaut « dev »)
 *   E2E_PASSWORD   mot de passe (inutile si le backend est en mode DEBUG_ARISTOBOT)
 *   CHROMIUM_PATH  exécutable Chromium (défaut /usr/bin/chromium)
 */
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const BASE_URL = (process.env.E2E_BASE_URL || 'http://127.0.0.1:8000').replace(/\/+$/, '')
export const SCREENSHOT_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url))
export const VIEWPORT = { width: 1440, height: 900 }

/** Les 8 pages du menu (spec §2) : libellé de la sidebar = titre h1, et route. */
export const MENU_PAGES = [
  { label: 'Heartbeat', path: '/heartbeat', slug: 'heartbeat' },
  { label: 'Trading manuel', path: '/trading-manuel', slug: 'trading-manuel' },
  { label: 'Trading BOT', path: '/trading-bot', slug: 'trading-bot' },
  { label: 'Stratégies', path: '/strategies', slug: 'strategies' },
  { label: 'Backtest', path: '/backtest', slug: 'backtest' },
  { label: 'Webhooks', path: '/webhooks', slug: 'webhooks' },
  { label: 'Statistiques', path: '/statistiques', slug: 'statistiques' },
  { label: 'Mon Compte', path: '/mon-compte', slug: 'mon-compte' },
]

export function credentials() {
  return { username: process.env.E2E_USER || 'dev', password: process.env.E2E_PASSWORD || '' }
}

export function url(path = '/') {
  return BASE_URL + path
}

/** Lance le Chromium du système (jamais de navigateur téléchargé). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * Nouvelle page dans un contexte neuf ; `page.errors` accumule les exceptions JavaScript
 * non rattrapées (un test peut exiger qu'il n'y en ait aucune). `timezoneId` : fuseau du
 * navigateur (« heure locale » de l'application), sinon celui de la machine.
 */
export async function newPage(browser, { viewport = VIEWPORT, timezoneId } = {}) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', baseURL: BASE_URL, ...(timezoneId ? { timezoneId } : {}) })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  page.errors = []
  page.on('pageerror', (error) => page.errors.push(error))
  return page
}

/** Attend que l'application soit montée : formulaire de connexion ou coquille connectée. */
export async function waitForApp(page) {
  await page.locator('form input[name="username"], [data-testid="main-content"]').first().waitFor()
  return (await page.locator('[data-testid="main-content"]').count()) > 0 ? 'app' : 'login'
}

/** Remplit et envoie le formulaire de connexion, puis attend la coquille de l'application. */
export async function submitLogin(page, { username, password } = credentials()) {
  if (!password) throw new Error('E2E_PASSWORD est requis quand le backend n’est pas en mode DEBUG_ARISTOBOT')
  await page.fill('input[name="username"]', username)
  await page.fill('input[name="password"]', password)
  await page.click('button[type="submit"]')
  await page.locator('[data-testid="main-content"]').waitFor()
}

/**
 * Ouvre l'application et se connecte si besoin.
 * @returns {Promise<{debug: boolean}>} debug = le backend a connecté « dev » tout seul
 */
export async function ensureLoggedIn(page, creds = credentials()) {
  await page.goto(url('/'))
  if ((await waitForApp(page)) === 'app') return { debug: true }
  await submitLogin(page, creds)
  return { debug: false }
}

/** Clique une entrée de la sidebar et attend le h1 de la page. */
export async function openMenuPage(page, { label, path }) {
  await page.locator('nav[aria-label="Menu principal"] a', { hasText: label }).first().click()
  await page.waitForURL((u) => new URL(u).pathname === path)
  await page.locator('h1', { hasText: label }).waitFor()
}

export async function currentTheme(page) {
  return page.evaluate(() => document.documentElement.dataset.theme)
}

/** Thème enregistré dans le profil serveur (GET /api/auth/me/). */
export async function serverTheme(page) {
  return page.evaluate(async () => {
    const response = await fetch('/api/auth/me/', { credentials: 'same-origin' })
    return (await response.json()).user?.theme ?? null
  })
}

/** Bascule le thème via le header et attend l'enregistrement serveur. */
export async function toggleTheme(page) {
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/auth/me/') && r.request().method() === 'PATCH')
  await page.click('[data-testid="theme-toggle"]')
  const response = await saved
  if (!response.ok()) throw new Error(`PATCH /api/auth/me/ a répondu ${response.status()}`)
  return currentTheme(page)
}

/** Capture pleine page dans e2e/screenshots/<name>.png ; renvoie le chemin. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const path = `${SCREENSHOT_DIR}${name}.png`
  await page.screenshot({ path, fullPage: true })
  return path
}

/**
 * Applique un thème dans cette page seulement (attribut `data-theme`), sans toucher au profil
 * serveur : les fichiers de test tournent en parallèle et le test de fumée vérifie le thème enregistré.
 */
export async function setPageTheme(page, theme) {
  await page.evaluate((value) => {
    document.documentElement.dataset.theme = value
  }, theme)
}

/**
 * Capture d'une page dont le contenu défile dans `<main>` : agrandit la fenêtre à la hauteur du
 * contenu le temps de la capture (sinon seule la partie visible est prise).
 */
export async function screenshotContent(page, name) {
  const viewport = page.viewportSize()
  const height = await page.evaluate(() => {
    const main = document.querySelector('[data-testid="main-content"]')
    return Math.ceil((main?.scrollHeight ?? 0) + (main?.getBoundingClientRect().top ?? 0))
  })
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.min(height, 4000)) })
  try {
    return await screenshot(page, name)
  } finally {
    await page.setViewportSize(viewport)
  }
}

/** Appel JSON à l'API depuis la page (cookies de session + jeton CSRF) → `{status, data}`. */
export function apiCall(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const token = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))?.split('=')[1] ?? ''
      const response = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(token) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      let data = null
      try {
        data = text ? JSON.parse(text) : null
      } catch {
        data = { raw: text }
      }
      return { status: response.status, data }
    },
    { method, path, body },
  )
}

/** « MAJ Paires de trading » d'un broker par l'API, attendue jusqu'à la fin (60 s au plus). */
export async function loadPairs(page, brokerId) {
  const started = await apiCall(page, 'POST', `/api/brokers/${brokerId}/update-pairs/`)
  if (started.status !== 202) throw new Error(`MAJ Paires refusée : ${JSON.stringify(started.data)}`)
  const deadline = Date.now() + 60_000
  for (;;) {
    const { data } = await apiCall(page, 'GET', `/api/brokers/${brokerId}/update-pairs/?job=${started.data.job_id}`)
    if (data.job?.status === 'done') return data.job
    if (data.job?.status === 'error') throw new Error(`MAJ Paires en erreur : ${data.job?.error}`)
    if (Date.now() > deadline) throw new Error('MAJ Paires trop longue')
    await page.waitForTimeout(300)
  }
}
