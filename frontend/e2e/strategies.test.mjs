/**
 * Page Stratégies de bout en bout : création, erreur de syntaxe à la bonne ligne, correction,
 * enregistrement et persistance, garde-fou des modifications, assistant IA contre un faux Ollama.
 *
 * Utilisateur : `dev` si ARISTOBOT_DEV_PASSWORD est connu (scripts/e2e.sh l'exporte : le test ne
 * touche alors ni au thème ni au profil IA de `dac`, utilisé par les autres tests e2e), sinon
 * E2E_USER / E2E_PASSWORD. Le faux Ollama (node:http sur 127.0.0.1) parle le vrai protocole
 * (`POST /api/chat`, `stream: false`) ; le profil IA de l'utilisateur est remis à « none » à la fin.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, test } from 'node:test'
import { credentials, ensureLoggedIn, launchBrowser, newPage, openMenuPage, screenshot } from './helpers.mjs'

const CREDS = process.env.ARISTOBOT_DEV_PASSWORD ? { username: 'dev', password: process.env.ARISTOBOT_DEV_PASSWORD } : credentials()
const NAME = `E2E Stratégie ${Date.now().toString(36)}`
const BROKEN = [
  'import pandas_ta as ta',
  '',
  'class E2eStrategie(Strategy):',
  '    def should_long(self) -> bool:',
  '        return self.candles["close"].iloc[-1] >',
  '',
  '    def calculate_position_size(self) -> float:',
  '        return self.balance * 0.1',
  '',
].join('\n')
const FIXED = BROKEN.replace('iloc[-1] >', 'iloc[-1] > 0')
const AI_CODE = FIXED.replace('return self.balance * 0.1', 'return self.balance * 0.25').replace(
  '        return self.candles["close"].iloc[-1] > 0',
  '        rsi = ta.rsi(self.candles["close"], length=14)\n        return bool(rsi.iloc[-1] < 30)',
)
const AI_ANSWER = `Achat quand le RSI 14 passe sous 30 ; 25 % du solde par position.\n\n\`\`\`python\n${AI_CODE}\`\`\`\n`

let browser
let page
let ollama
let ollamaUrl
const ollamaCalls = []

/** Faux serveur Ollama : `POST /api/chat` (sans streaming) et `GET /api/tags`. */
function startFakeOllama() {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      let raw = ''
      req.on('data', (chunk) => (raw += chunk))
      req.on('end', () => {
        const body = raw ? JSON.parse(raw) : null
        ollamaCalls.push({ method: req.method, path: req.url, body })
        const reply = (status, payload) => {
          res.writeHead(status, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify(payload))
        }
        if (req.method === 'GET' && req.url === '/api/tags') return reply(200, { models: [{ name: 'llama3.1:latest', model: 'llama3.1:latest' }] })
        if (req.method !== 'POST' || req.url !== '/api/chat') return reply(404, { error: 'not found' })
        if (body.stream !== false) return reply(400, { error: 'stream: false attendu' })
        if (body.model !== 'llama3.1') return reply(404, { error: `model "${body.model}" not found, try pulling it first` })
        // Un peu de latence pour voir la progression.
        setTimeout(() => reply(200, { model: body.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: AI_ANSWER }, done: true }), 1200)
      })
    })
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

/** PATCH /api/auth/me/ depuis la page (session + CSRF du navigateur). */
async function patchProfile(patch) {
  const status = await page.evaluate(async (body) => {
    const token = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='))?.split('=')[1] ?? ''
    const response = await fetch('/api/auth/me/', {
      method: 'PATCH',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
      body: JSON.stringify(body),
    })
    return response.status
  }, patch)
  assert.equal(status, 200, 'PATCH /api/auth/me/')
}

/** Remplace tout le contenu de l'éditeur CodeMirror (insertText : ni auto-indentation ni parenthèses auto). */
async function setEditorCode(code) {
  await page.locator('[data-testid="strategy-editor"] .cm-content').click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.insertText(code)
}

const editorCode = () =>
  page.evaluate(() => [...document.querySelectorAll('[data-testid="strategy-editor"] .cm-content .cm-line')].map((l) => l.textContent).join('\n'))

/** Numéros (1 = première) des lignes de l'éditeur qui portent un soulignement d'erreur. */
const errorLines = () =>
  page.evaluate(() => {
    const lines = [...document.querySelectorAll('[data-testid="strategy-editor"] .cm-content > .cm-line')]
    return lines.flatMap((line, index) => (line.querySelector('.cm-lintRange-error') ? [index + 1] : []))
  })

/** Thème appliqué localement (sans PATCH du profil), puis fin des transitions CSS avant la capture. */
async function setLocalTheme(theme) {
  await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme)
  await page.waitForTimeout(600)
}

before(async () => {
  ollama = await startFakeOllama()
  ollamaUrl = `http://127.0.0.1:${ollama.address().port}`
  browser = await launchBrowser()
  page = await newPage(browser)
})

after(async () => {
  if (page) await patchProfile({ ai_provider: 'none' }).catch(() => {})
  await browser?.close()
  ollama?.close()
})

test('créer une stratégie, voir l’erreur à la ligne 5, corriger, enregistrer, recharger', { timeout: 120_000 }, async () => {
  await ensureLoggedIn(page, CREDS)
  await patchProfile({ ai_provider: 'none' })
  await openMenuPage(page, { label: 'Stratégies', path: '/strategies' })
  // Linux avec seccomp + Landlock (CI, démo) : le confinement est complet, mention discrète.
  await page.locator('[data-testid="sandbox-ok"]').waitFor()
  assert.equal(await page.locator('[data-testid="sandbox-warning"]').count(), 0)

  await page.click('[data-testid="strategy-new"]')
  const dialog = page.locator('[data-testid="strategy-name-dialog"]')
  await dialog.locator('input').fill(NAME)
  await dialog.locator('[data-testid="strategy-name-confirm"]').click()
  await dialog.waitFor({ state: 'detached' })
  await page.locator(`[data-testid="strategy-item"][data-name="${NAME}"]`).waitFor()
  assert.equal(await page.inputValue('[data-testid="strategy-name"]'), NAME)
  assert.match(await editorCode(), /class MaNouvelleStrategie\(Strategy\):/, 'nouvelle stratégie = template de base')

  await setEditorCode(BROKEN)
  assert.equal(await editorCode(), BROKEN)
  assert.equal(await page.innerText('[data-testid="strategy-state"]'), 'Modifié, non enregistré')

  await page.click('[data-testid="strategy-validate"]')
  const panel = page.locator('[data-testid="validation-panel"][data-state="error"]')
  await panel.waitFor()
  assert.equal(await panel.locator('[data-testid="validation-line"]').innerText(), '5')
  assert.equal(await panel.locator('[data-testid="validation-error"]').innerText(), 'Erreur de syntaxe ligne 5 : invalid syntax')
  await page.locator('.cm-lintRange-error').first().waitFor()
  assert.deepEqual(await errorLines(), [5], 'soulignement sur la ligne 5')
  assert.equal(await page.locator('[data-testid="strategy-editor"] .cm-gutter-lint .cm-lint-marker-error').count(), 1)
  await screenshot(page, 'dark-strategies-error')
  await setLocalTheme('light')
  await screenshot(page, 'light-strategies-error')
  await setLocalTheme('dark')

  // Un code invalide s'enregistre quand même, mais la liste le marque (et l'activation sera refusée).
  await page.click('[data-testid="strategy-save"]')
  const item = page.locator(`[data-testid="strategy-item"][data-name="${NAME}"]`)
  await item.locator('[data-testid="strategy-invalid"]').waitFor()
  assert.equal(await item.locator('[data-testid="strategy-invalid"]').innerText(), 'Invalide · l. 5')

  // Le curseur est sur la ligne 5 : on complète la comparaison.
  await page.click('[data-testid="validation-goto"]')
  await page.keyboard.press('End')
  await page.keyboard.insertText(' 0')
  assert.equal(await editorCode(), FIXED)
  await page.locator('[data-testid="validation-stale"]').waitFor()

  await page.click('[data-testid="strategy-validate"]')
  const ok = page.locator('[data-testid="validation-panel"][data-state="ok"]')
  await ok.waitFor()
  assert.equal(await ok.locator('[data-testid="validation-ok"]').innerText(), 'Syntaxe valide — classe E2eStrategie')
  assert.match(await ok.locator('[data-testid="validation-decisions"]').innerText(), /Taille de position\s+100 \(devise de cotation\)/)
  assert.deepEqual(await errorLines(), [])
  await screenshot(page, 'dark-strategies-valid')
  await setLocalTheme('light')
  await screenshot(page, 'light-strategies-valid')
  await setLocalTheme('dark')

  await page.click('[data-testid="strategy-save"]')
  await page.locator('[data-testid="strategy-state"]', { hasText: 'Enregistré' }).waitFor()
  await item.locator('[data-testid="strategy-invalid"]').waitFor({ state: 'detached' })

  await page.reload()
  await page.locator(`[data-testid="strategy-item"][data-name="${NAME}"] [aria-current="true"]`).waitFor()
  await page.locator('[data-testid="strategy-editor"] .cm-content').waitFor()
  assert.equal(await editorCode(), FIXED, 'le code enregistré est rouvert après rechargement')
  const stored = await page.evaluate(async (name) => {
    const list = await (await fetch('/api/strategies/', { credentials: 'same-origin' })).json()
    return list.find((s) => s.name === name)?.code
  }, NAME)
  assert.equal(stored, FIXED)
  await screenshot(page, 'dark-strategies-saved')
})

test('paramètres : aucun dans ce code, « fast = 10 » et « slow = 20 » dans l’exemple EMA une fois testé', { timeout: 60_000 }, async () => {
  const params = page.locator('[data-testid="strategy-parameters"]')
  assert.match(await params.innerText(), /Aucun/)
  await page.getByRole('button', { name: 'Insérer l’exemple EMA 10/20' }).click()
  await page.locator('[data-testid="strategy-state"]', { hasText: 'Modifié, non enregistré' }).waitFor()
  await page.click('[data-testid="strategy-validate"]')
  await page.locator('[data-testid="validation-panel"][data-state="ok"]').waitFor()
  await params.locator('li[data-name="fast"]', { hasText: 'fast = 10' }).waitFor()
  assert.equal(await params.locator('li[data-name="slow"]').innerText(), 'slow = 20')
  await page.click('[data-testid="strategy-discard"]')
})

test('quitter la page avec des modifications non enregistrées demande confirmation', { timeout: 60_000 }, async () => {
  await setEditorCode(FIXED + '# brouillon\n')
  await page.locator('nav[aria-label="Menu principal"] a', { hasText: 'Backtest' }).click()
  const dialog = page.locator('[data-testid="unsaved-dialog"]')
  await dialog.waitFor()
  await dialog.locator('[data-testid="unsaved-stay"]').click()
  await dialog.waitFor({ state: 'detached' })
  assert.equal(new URL(page.url()).pathname, '/strategies')
  assert.equal(await editorCode(), FIXED + '# brouillon\n')

  await page.locator('nav[aria-label="Menu principal"] a', { hasText: 'Backtest' }).click()
  await dialog.locator('[data-testid="unsaved-discard"]').click()
  await page.waitForURL((u) => new URL(u).pathname === '/backtest')
  await openMenuPage(page, { label: 'Stratégies', path: '/strategies' })
  assert.equal(await editorCode(), FIXED, 'brouillon abandonné : retour à la version enregistrée')
})

test('assistant IA : désactivé, puis proposition en diff acceptée (faux Ollama)', { timeout: 90_000 }, async () => {
  const assistant = page.locator('[data-testid="assistant-panel"]')
  await assistant.locator('[data-testid="assistant-disabled"]').waitFor()
  assert.equal(await assistant.locator('[data-testid="assistant-account-link"]').getAttribute('href'), '/mon-compte')
  assert.equal(await assistant.locator('[data-testid="assistant-generate"]').isDisabled(), true)
  await assistant.scrollIntoViewIfNeeded()
  await screenshot(page, 'dark-strategies-ai-disabled')

  await patchProfile({ ai_provider: 'ollama', ollama_url: ollamaUrl, ollama_model: 'llama3.1' })
  await page.reload()
  await assistant.locator('[data-testid="assistant-prompt"]').waitFor()
  assert.equal(await assistant.locator('[data-testid="assistant-disabled"]').count(), 0)
  await assistant.locator('[data-testid="assistant-prompt"]').fill('Achète quand le RSI 14 passe sous 30, 25 % du solde.')
  await assistant.locator('[data-testid="assistant-generate"]').click()
  await assistant.locator('[data-testid="assistant-progress"]').waitFor()
  await assistant.locator('[data-testid="assistant-result"]').waitFor({ timeout: 30_000 })

  const call = ollamaCalls.find((c) => c.path === '/api/chat')
  assert.equal(call.body.stream, false)
  assert.ok(call.body.messages[1].content.includes(FIXED.trim()), 'le code de l’éditeur accompagne la demande')
  assert.match(await assistant.locator('[data-testid="assistant-explanation"]').innerText(), /RSI 14 passe sous 30/)
  const diff = assistant.locator('[data-testid="code-diff"]')
  assert.equal(await diff.getAttribute('data-mode'), 'unified')
  await diff.locator('.cm-deletedChunk').first().waitFor()
  assert.match(await assistant.locator('[data-testid="assistant-diff-stats"]').innerText(), /^\+3 −2 lignes$/)
  assert.equal(await editorCode(), FIXED, 'rien ne change avant « Accepter »')
  await assistant.scrollIntoViewIfNeeded()
  await screenshot(page, 'dark-strategies-assistant')
  await setLocalTheme('light')
  await screenshot(page, 'light-strategies-assistant')
  await setLocalTheme('dark')

  await assistant.locator('[role="radio"][data-value="split"]').click()
  await diff.locator('.cm-mergeView').waitFor()
  await screenshot(page, 'dark-strategies-assistant-split')
  await assistant.locator('[role="radio"][data-value="unified"]').click()
  await diff.locator('.cm-deletedChunk').first().waitFor()

  // « Écarter » le premier bloc (should_long) : seule la taille de position reste proposée.
  await diff.locator('.cm-deletedChunk button[name="reject"]').first().click()
  await assistant.locator('[data-testid="assistant-diff-stats"]', { hasText: '+1 −1 lignes' }).waitFor()
  await assistant.locator('[data-testid="assistant-accept"]').click()
  await assistant.locator('[data-testid="assistant-result"]').waitFor({ state: 'detached' })
  assert.equal(await editorCode(), FIXED.replace('self.balance * 0.1', 'self.balance * 0.25'))
  assert.equal(await page.innerText('[data-testid="strategy-state"]'), 'Modifié, non enregistré')

  // Une erreur du fournisseur s'affiche en français.
  await patchProfile({ ollama_model: 'mistral' })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.click('[data-testid="strategy-discard"]')
  await page.reload()
  await assistant.locator('[data-testid="assistant-prompt"]').fill('Autre idée')
  await assistant.locator('[data-testid="assistant-generate"]').click()
  const error = assistant.locator('[data-testid="assistant-error"]')
  await error.waitFor()
  assert.match(await error.innerText(), /^Ollama ne connaît pas le modèle « mistral » \(404\) : lancez « ollama pull mistral »/)
  assert.deepEqual(page.errors.map(String), [], 'aucune exception JavaScript non rattrapée')
})

test('supprimer la stratégie de test (modale de confirmation)', { timeout: 30_000 }, async () => {
  const item = page.locator(`[data-testid="strategy-item"][data-name="${NAME}"]`)
  await item.hover()
  await item.locator(`button[aria-label="Supprimer ${NAME}"]`).click()
  const dialog = page.locator('[data-testid="confirm-dialog"]')
  await dialog.waitFor()
  assert.match(await dialog.innerText(), new RegExp(`« ${NAME} »`))
  await dialog.locator('[data-testid="confirm-accept"]').click()
  await item.waitFor({ state: 'detached' })
})
