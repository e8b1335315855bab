/**
 * Téléphone (390×844) et tablette (768×1024) : chacune des 8 pages tient dans la largeur de l'écran
 * (ni la page ni la zone de contenu ne défilent horizontalement ; les tableaux larges défilent dans
 * leur carte), la sidebar est un tiroir ouvert par le bouton menu du header (aria-expanded,
 * aria-controls, focus, fermeture par la navigation, Échap et le voile), les pastilles de statut et le
 * menu utilisateur ne se chevauchent pas ; les modales qui comptent (broker de Mon Compte,
 * confirmation d'ordre du Trading manuel) tiennent dans l'écran ; les toasts ne couvrent pas le
 * contenu (par-dessus le header sur téléphone, dans la sidebar sur grand écran). Captures dans
 * e2e/screenshots/phone-*.png et tablet-*.png.
 *
 * Broker de démonstration créé par l'API (simulateur de la pile e2e), supprimé à la fin.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { MENU_PAGES, VIEWPORT, apiCall, ensureLoggedIn, launchBrowser, loadPairs, newPage, screenshot, screenshotContent } from './helpers.mjs'

const PHONE = { width: 390, height: 844 }
const TABLET = { width: 768, height: 1024 }
const BROKER_NAME = `E2E Téléphone ${Date.now().toString(36)}`

let browser
let page
let broker

const toggle = () => page.locator('[data-testid="menu-toggle"]')
const sidebar = () => page.locator('[data-testid="sidebar"]')

/** Boîte englobante (pixels CSS de la fenêtre) ; erreur claire si l'élément n'est pas affiché. */
async function box(locator, name) {
  const b = await locator.boundingBox()
  assert.ok(b, `${name} doit être affiché`)
  return { ...b, right: b.x + b.width, bottom: b.y + b.height }
}

const intersects = (a, b, tolerance = 0.5) =>
  Math.min(a.right, b.right) - Math.max(a.x, b.x) > tolerance && Math.min(a.bottom, b.bottom) - Math.max(a.y, b.y) > tolerance

/** Ni la page ni `<main>` (qui porte le défilement) ne sont plus larges que la fenêtre. */
async function assertFits(label) {
  const widths = await page.evaluate(() => {
    const main = document.querySelector('[data-testid="main-content"]')
    // Coupables possibles : éléments qui dépassent à droite sans être dans un conteneur qui défile.
    const culprits = []
    for (const el of main.querySelectorAll('*')) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.right <= main.clientWidth + 1) continue
      let parent = el.parentElement
      let clipped = false
      while (parent && parent !== main) {
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(parent).overflowX)) {
          clipped = true
          break
        }
        parent = parent.parentElement
      }
      if (!clipped) culprits.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`)
    }
    return {
      page: document.documentElement.scrollWidth,
      window: window.innerWidth,
      main: main.scrollWidth,
      mainClient: main.clientWidth,
      culprits: culprits.slice(0, 5),
    }
  })
  assert.ok(widths.page <= widths.window, `${label} : la page défile horizontalement (${widths.page} > ${widths.window})`)
  assert.ok(
    widths.main <= widths.mainClient,
    `${label} : le contenu défile horizontalement (${widths.main} > ${widths.mainClient}) — ${widths.culprits.join(', ')}`,
  )
}

/**
 * Les pastilles de statut et le menu utilisateur sont dans l'écran et ne se chevauchent pas (ni le
 * bouton menu, s'il est affiché : `withMenu`).
 */
async function assertHeaderClear(label, { withMenu = true } = {}) {
  const { width } = page.viewportSize()
  const status = await box(page.locator('[role="status"][aria-label="État du système"]'), 'la barre de statut')
  const user = await box(page.locator('[data-testid="user-menu"]'), 'le menu utilisateur')
  assert.ok(!intersects(status, user), `${label} : pastilles et menu utilisateur se chevauchent`)
  if (withMenu) {
    const menu = await box(toggle(), 'le bouton menu')
    assert.ok(!intersects(status, menu), `${label} : pastilles et bouton menu se chevauchent`)
  }
  for (const pill of await page.locator('[role="status"] .pill').all()) {
    const p = await box(pill, 'une pastille')
    assert.ok(!intersects(p, user), `${label} : une pastille passe sous le menu utilisateur`)
    assert.ok(p.x >= 0 && p.right <= width, `${label} : une pastille sort de l'écran`)
  }
  assert.ok(user.x >= 0 && user.right <= width, `${label} : le menu utilisateur sort de l'écran`)
}

/** Ouvre le tiroir par le bouton menu, choisit l'entrée, vérifie que le tiroir se referme. */
async function openViaMenu({ label, path }) {
  assert.equal(await toggle().getAttribute('aria-expanded'), 'false')
  assert.equal(await sidebar().isVisible(), false, 'sidebar masquée tant que le menu est fermé')
  await toggle().click()
  assert.equal(await toggle().getAttribute('aria-expanded'), 'true')
  const link = page.locator('nav[aria-label="Menu principal"] a', { hasText: label }).first()
  await link.waitFor({ state: 'visible' })
  await link.click()
  await page.waitForURL((u) => new URL(u).pathname === path)
  await page.locator('h1', { hasText: label }).waitFor()
  assert.equal(await toggle().getAttribute('aria-expanded'), 'false', 'la navigation referme le menu')
  await sidebar().waitFor({ state: 'hidden' })
}

/** Parcourt les 8 pages par le menu : largeur, header, capture. */
async function checkAllPages(prefix) {
  for (const entry of [...MENU_PAGES.slice(1), MENU_PAGES[0]]) {
    await openViaMenu(entry)
    await page.waitForTimeout(600) // chargements et graphiques
    await assertFits(`${prefix} ${entry.slug}`)
    await assertHeaderClear(`${prefix} ${entry.slug}`)
    await screenshotContent(page, `${prefix}-${entry.slug}`)
  }
}

/** La fenêtre modale visible est entièrement dans l'écran et rien n'y défile horizontalement. */
async function assertModalFits(locator, label) {
  const { width, height } = page.viewportSize()
  const m = await box(locator, label)
  assert.ok(m.x >= 0 && m.right <= width && m.y >= 0 && m.bottom <= height, `${label} sort de l'écran (${JSON.stringify(m)})`)
  const overflowing = await locator.evaluate((panel) =>
    [...panel.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > panel.getBoundingClientRect().right + 1 && !el.closest('.base-table__scroll'))
      .map((el) => el.className),
  )
  assert.deepEqual(overflowing, [], `${label} : contenu qui dépasse à droite`)
}

/** Saisit un ordre de 1 USDT (refusé par l'exchange : rien n'est acheté) et le confirme. */
async function sendTooSmallOrder() {
  await page.fill('[data-testid="order-quote"]', '1')
  await page.click('[data-testid="order-buy"]')
  const dialog = page.locator('[data-testid="order-confirm-dialog"]')
  await dialog.waitFor()
  await page.waitForTimeout(300) // fin du fondu d'ouverture
  return dialog
}

/** Le toast du refus est affiché et ne recouvre pas la zone de contenu. */
async function assertToastOutsideContent(label) {
  const toast = page.getByRole('alert').filter({ hasText: 'Montant trop faible' }).first()
  await toast.waitFor()
  await page.waitForTimeout(250) // fin de l'animation d'entrée
  const t = await box(toast, 'le toast')
  const main = await box(page.locator('[data-testid="main-content"]'), 'la zone de contenu')
  assert.ok(!intersects(t, main), `${label} : le toast recouvre le contenu (${JSON.stringify(t)} / ${JSON.stringify(main)})`)
  const { width, height } = page.viewportSize()
  assert.ok(t.x >= 0 && t.right <= width && t.y >= 0 && t.bottom <= height, `${label} : le toast sort de l'écran`)
  await toast.getByRole('button', { name: 'Fermer' }).click()
}

async function openTradingWithSymbol() {
  await page.locator('[data-testid="broker-select"]').selectOption(String(broker.id))
  await page.fill('[data-testid="symbol-search"]', 'BTC')
  await page.locator('[data-testid="symbol-BTC/USDT"]').click()
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="ticker-price"]')?.textContent ?? ''))
}

before(async () => {
  browser = await launchBrowser()
  page = await newPage(browser, { viewport: PHONE })
  await ensureLoggedIn(page)
  const created = await apiCall(page, 'POST', '/api/brokers/', {
    name: BROKER_NAME, exchange: 'binance', api_key: 'demo-api-key', api_secret: 'demo-api-secret', is_testnet: false,
  })
  assert.equal(created.status, 201, JSON.stringify(created.data))
  broker = created.data
  assert.ok((await loadPairs(page, broker.id)).total > 0)
})

after(async () => {
  if (broker && page) await apiCall(page, 'DELETE', `/api/brokers/${broker.id}/`).catch(() => null)
  await browser?.close()
})

test('téléphone 390×844 : les 8 pages tiennent dans l’écran, menu en tiroir, statut et utilisateur séparés', { timeout: 120_000 }, async () => {
  await page.locator('h1', { hasText: 'Heartbeat' }).waitFor()
  await assertHeaderClear('téléphone')
  await checkAllPages('phone')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

test('tiroir du menu : focus, Échap, voile, bouton de fermeture', { timeout: 30_000 }, async () => {
  const id = await toggle().getAttribute('aria-controls')
  assert.equal(await sidebar().getAttribute('id'), id, 'aria-controls désigne la sidebar')

  await toggle().click()
  await sidebar().waitFor({ state: 'visible' })
  await page.waitForTimeout(250) // fin du glissement
  await screenshot(page, 'phone-menu-open')
  assert.ok(await page.evaluate((sid) => !!document.activeElement?.closest(`#${sid}`), id), 'le focus entre dans le menu')
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Heartbeat', 'focus sur la page courante')
  await page.keyboard.press('Escape')
  await sidebar().waitFor({ state: 'hidden' })
  assert.equal(await toggle().getAttribute('aria-expanded'), 'false')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'menu-toggle', 'le focus revient au bouton menu')

  await toggle().click()
  await sidebar().waitFor({ state: 'visible' })
  const drawer = await box(sidebar(), 'le tiroir')
  await page.mouse.click(Math.min(PHONE.width - 10, drawer.right + 20), PHONE.height / 2) // voile, à droite du tiroir
  await sidebar().waitFor({ state: 'hidden' })

  await toggle().click()
  await page.click('[data-testid="menu-close"]')
  await sidebar().waitFor({ state: 'hidden' })
  assert.equal(await toggle().getAttribute('aria-expanded'), 'false')
})

test('téléphone : modale broker de Mon Compte et confirmation d’ordre dans l’écran, toast hors du contenu', { timeout: 90_000 }, async () => {
  await openViaMenu(MENU_PAGES.find((p) => p.slug === 'mon-compte'))
  await page.click('[data-testid="add-broker"]')
  const modal = page.locator('[data-testid="broker-modal"]')
  await modal.locator('select[name="exchange"] option[value="binance"]').waitFor({ state: 'attached' })
  await modal.locator('select[name="exchange"]').selectOption('binance')
  await modal.locator('input[name="name"]').fill(`${BROKER_NAME} bis`)
  await modal.locator('input[name="api_key"]').fill('demo-api-key')
  await modal.locator('input[name="api_secret"]').fill('demo-api-secret')
  await page.click('[data-testid="broker-check"]')
  await page.locator('[data-testid="broker-balance"]').waitFor({ timeout: 30_000 })
  await assertModalFits(modal, 'la modale broker')
  await screenshot(page, 'phone-broker-modal')
  await modal.getByRole('button', { name: 'Annuler' }).click()
  await modal.waitFor({ state: 'detached' })

  await openViaMenu(MENU_PAGES.find((p) => p.slug === 'trading-manuel'))
  await openTradingWithSymbol()
  await assertFits('téléphone trading-manuel (symbole choisi)')
  const dialog = await sendTooSmallOrder()
  await assertModalFits(dialog, 'la confirmation d’ordre')
  await screenshot(page, 'phone-order-confirm')
  await page.click('[data-testid="order-confirm"]')
  await dialog.waitFor({ state: 'detached', timeout: 30_000 })
  await assertToastOutsideContent('téléphone')
  await screenshot(page, 'phone-toast')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

test('tablette 768×1024 : les 8 pages tiennent dans l’écran, menu en tiroir', { timeout: 120_000 }, async () => {
  await page.setViewportSize(TABLET)
  await assertHeaderClear('tablette')
  await checkAllPages('tablet')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

test('grand écran 1440 : sidebar fixe sans bouton menu, toast dans la sidebar hors du contenu', { timeout: 60_000 }, async () => {
  await page.setViewportSize(VIEWPORT)
  assert.equal(await toggle().isVisible(), false, 'pas de bouton menu sur grand écran')
  assert.equal(await sidebar().isVisible(), true)
  await page.locator('nav[aria-label="Menu principal"] a', { hasText: 'Trading manuel' }).click()
  await page.locator('h1', { hasText: 'Trading manuel' }).waitFor()
  await assertFits('grand écran trading-manuel')
  await assertHeaderClear('grand écran', { withMenu: false })
  await openTradingWithSymbol()
  const dialog = await sendTooSmallOrder()
  await page.click('[data-testid="order-confirm"]')
  await dialog.waitFor({ state: 'detached', timeout: 30_000 })
  await assertToastOutsideContent('grand écran')
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})
