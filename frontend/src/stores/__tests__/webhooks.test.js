import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { FLASH_MS, TEST_FALLBACK_MS, useWebhooksStore } from '../webhooks.js'

const CONFIG = { token: 'tok', url: 'https://bot.example/api/webhooks/receive/tok/', secret: 'chut', ip_allowlist_enabled: false, allowed_ips: ['52.89.214.238'], example_message: '{}' }
const row = (id, fields = {}) => ({ id, source: 'tradingview', status: 'pending', http_status: 202, received_at: `2026-01-10T10:00:${String(id).padStart(2, '0')}Z`, raw_body: '', error_message: '', source_ip: '127.0.0.1', payload: null, trade_id: null, ...fields })

describe('store webhooks', () => {
  let fetchMock
  let server

  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    server = { rows: { 1: row(1), 2: row(2) }, page: [row(2), row(1)], count: 2 }
    fetchMock = stubFetch({
      'GET /api/webhooks/config/': jsonResponse(200, CONFIG),
      'POST /api/webhooks/config/': (url, init) => jsonResponse(200, { ...CONFIG, token: 'nouveau', url: '…/nouveau/', ...JSON.parse(init.body) }),
      'GET /api/webhooks/': () => jsonResponse(200, { count: server.count, next: null, previous: null, results: server.page }),
      'GET /api/webhooks/3/': () => jsonResponse(200, server.rows[3]),
      'GET /api/webhooks/2/': () => jsonResponse(200, server.rows[2]),
      'POST /api/webhooks/receive/tok/': () => jsonResponse(202, { detail: 'Alerte reçue : ordre en cours d’exécution.', id: 3, status: 'pending' }),
    })
  })

  afterEach(() => {
    useWebhooksStore().stop()
    resetSockets()
    vi.useRealTimers()
  })

  async function started() {
    const store = useWebhooksStore()
    await store.start()
    FakeWebSocket.last.simulateOpen()
    return store
  }

  const urls = (path) => fetchMock.mock.calls.map(([url]) => url).filter((url) => url.startsWith(path))

  it('charge la configuration et la première page du journal', async () => {
    const store = await started()
    expect(store.config.url).toBe(CONFIG.url)
    expect(store.rows.map((r) => r.id)).toEqual([2, 1])
    expect(urls('/api/webhooks/?')).toEqual(['/api/webhooks/?page=1&page_size=20'])
    expect(FakeWebSocket.last.url).toMatch(/\/ws\/heartbeat\/$/)
  })

  it('première visite (pas encore configuré) : la configuration est créée par un POST vide', async () => {
    const posts = []
    fetchMock = stubFetch({
      'GET /api/webhooks/config/': jsonResponse(200, { ...CONFIG, configured: false, token: null, url: null, secret: null }),
      'POST /api/webhooks/config/': (url, init) => { posts.push(JSON.parse(init.body)); return jsonResponse(200, { ...CONFIG, configured: true }) },
      'GET /api/webhooks/': () => jsonResponse(200, { count: 0, next: null, previous: null, results: [] }),
    })
    const store = await started()
    expect(posts).toEqual([{}])
    expect(store.config.url).toBe(CONFIG.url)
    expect(store.configError).toBeNull()
  })

  it('webhook.logged d’une ligne affichée : ligne relue et remplacée (statut, trade)', async () => {
    const store = await started()
    server.rows[2] = row(2, { status: 'done', trade_id: 41 })
    FakeWebSocket.last.simulateMessage({ type: 'webhook.logged', webhook_id: 2, status: 'done' })
    await vi.advanceTimersByTimeAsync(0)
    expect(store.rows.map((r) => [r.id, r.status, r.trade_id])).toEqual([[2, 'done', 41], [1, 'pending', null]])
    expect(store.count).toBe(2)
    expect(store.flashed.has(2)).toBe(true)
    await vi.advanceTimersByTimeAsync(FLASH_MS)
    expect(store.flashed.has(2)).toBe(false)
  })

  it('webhook.logged d’une nouvelle ligne : insérée en tête de la page 1', async () => {
    const store = await started()
    server.rows[3] = row(3)
    FakeWebSocket.last.simulateMessage({ type: 'webhook.logged', webhook_id: 3, status: 'pending' })
    await vi.advanceTimersByTimeAsync(0)
    expect(store.rows.map((r) => r.id)).toEqual([3, 2, 1])
    expect(store.count).toBe(3)
  })

  it('nouvelle ligne hors filtres ou hors page 1 : comptée comme manquée, pas insérée', async () => {
    const store = await started()
    await store.setFilters({ status: 'error' })
    server.rows[3] = row(3)
    FakeWebSocket.last.simulateMessage({ type: 'webhook.logged', webhook_id: 3, status: 'pending' })
    await vi.advanceTimersByTimeAsync(0)
    expect(store.rows.map((r) => r.id)).toEqual([2, 1]) // la page simulée ne filtre pas
    expect(store.missed).toBe(1)
    await store.setFilters({ status: '' })
    server.count = 45
    await store.setPage(2)
    const calls = fetchMock.mock.calls.length
    FakeWebSocket.last.simulateMessage({ type: 'webhook.logged', webhook_id: 3, status: 'pending' })
    await vi.advanceTimersByTimeAsync(0)
    expect(fetchMock.mock.calls.length).toBe(calls) // pas de relecture inutile
    expect(store.missed).toBe(1)
    expect(urls('/api/webhooks/?').at(-1)).toBe('/api/webhooks/?page=2&page_size=20')
  })

  it('filtres : retour en page 1, paramètres status et q', async () => {
    const store = await started()
    await store.setPage(3)
    await store.setFilters({ status: 'done', q: ' btc ' })
    expect(store.page).toBe(1)
    expect(urls('/api/webhooks/?').at(-1)).toBe('/api/webhooks/?page=1&page_size=20&status=done&q=btc')
  })

  it('reconnexion du WebSocket : le journal est relu', async () => {
    await started()
    const before = urls('/api/webhooks/?').length
    FakeWebSocket.last.simulateDrop()
    await vi.advanceTimersByTimeAsync(1100)
    FakeWebSocket.last.simulateOpen()
    await vi.advanceTimersByTimeAsync(0)
    expect(urls('/api/webhooks/?').length).toBe(before + 1)
  })

  it('« Envoyer un test » : alerte postée sur le chemin de l’URL, réponse gardée', async () => {
    const store = await started()
    const result = await store.sendTest({ now: 1767225600000 })
    const call = fetchMock.mock.calls.findIndex(([url]) => url === '/api/webhooks/receive/tok/')
    expect(requestBody(fetchMock, call)).toEqual({ secret: 'chut', action: 'buy', symbol: 'BTCUSDT', amount: 10, source: 'test', id: 'test-1767225600000' })
    expect(result).toMatchObject({ ok: true, status: 202, body: { id: 3, status: 'pending' } })
    expect(store.testResult.sent.secret).toBe('…')
    // Sans message WebSocket, la ligne est relue après le délai de secours.
    server.rows[3] = row(3)
    await vi.advanceTimersByTimeAsync(TEST_FALLBACK_MS)
    expect(store.rows[0].id).toBe(3)
  })

  it('« Envoyer un test » refusé : code et message du serveur', async () => {
    fetchMock.mockImplementation(async (url) =>
      url === '/api/webhooks/receive/tok/'
        ? jsonResponse(403, { detail: 'Adresse IP non autorisée : 127.0.0.1.' })
        : jsonResponse(200, url.includes('config') ? CONFIG : { count: 0, results: [] }),
    )
    const store = await started()
    const result = await store.sendTest()
    expect(result).toMatchObject({ ok: false, status: 403, body: { detail: 'Adresse IP non autorisée : 127.0.0.1.' } })
  })

  it('régénérer le jeton et la liste d’IP passent par POST /api/webhooks/config/', async () => {
    const store = await started()
    await store.regenerateToken({ secret: true })
    expect(store.config.token).toBe('nouveau')
    await store.setIpAllowlist(true)
    const posts = fetchMock.mock.calls.map((c, i) => [c, i]).filter(([c]) => c[1]?.method === 'POST').map(([, i]) => requestBody(fetchMock, i))
    expect(posts).toEqual([{ regenerate_token: true, regenerate_secret: true }, { ip_allowlist_enabled: true }])
    expect(store.config.ip_allowlist_enabled).toBe(true)
  })
})
