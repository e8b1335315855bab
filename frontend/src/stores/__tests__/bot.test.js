import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { useAuthStore } from '../auth.js'
import { BOT_POLL_MS, EVENT_REFRESH_MS, SIGNAL_REFRESH_MS, SYMBOL_SEARCH_DEBOUNCE_MS, useBotStore } from '../bot.js'

const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString()
const PAST = new Date(Date.now() - 86_400_000).toISOString()
const ACTIVE = {
  id: 1, strategy: 3, strategy_name: 'Achat', timeframe: '1m', broker: 5, broker_name: 'Principal', symbol: 'BTC/USDT',
  start_date: PAST, end_date: FUTURE, is_active: true, last_run_at: null, last_error: '', updated_at: 'u1',
}
const STOPPED = { ...ACTIVE, id: 2, timeframe: '4h', end_date: '2001-01-01T00:00:00Z', is_active: false, updated_at: 'u2' }
const POSITION = { id: 9, status: 'open', symbol: 'BTC/USDT', quantity: '0.0005', entry_price: '40000', entry_cost: '20', last_price: '41000' }
const detail = (item, extra = {}) => ({ ...item, position: null, recent_trades: [], realized_pnl: '0', ...extra })
const STATUS = { heartbeat: { is_connected: true }, coherent: true, open_alerts: 0, live_strategies: 1, testnet: false }

const callsTo = (fetchMock, method, path) =>
  fetchMock.mock.calls.map(([url, init], i) => [`${init?.method ?? 'GET'} ${new URL(url, 'http://t').pathname}`, i]).filter(([key]) => key === `${method} ${path}`)

describe('store bot', () => {
  let fetchMock
  let routes

  beforeEach(() => {
    vi.useFakeTimers()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    FakeWebSocket.reset()
    resetSockets()
    setActivePinia(createPinia())
    useAuthStore().user = { id: 1, username: 'dac' }
    routes = {
      'GET /api/active-strategies/': () => jsonResponse(200, [ACTIVE, STOPPED]),
      'GET /api/active-strategies/1/': () => jsonResponse(200, detail(ACTIVE, { position: POSITION })),
      'GET /api/active-strategies/2/': () => jsonResponse(200, detail(STOPPED, { realized_pnl: '1.5' })),
      'GET /api/strategies/': jsonResponse(200, [{ id: 3, name: 'Achat', timeframe: '1m' }]),
      'GET /api/brokers/': jsonResponse(200, [{ id: 5, name: 'Principal', exchange: 'binance', is_default: true }]),
      'GET /api/status/': jsonResponse(200, STATUS),
      'GET /api/market-symbols/': (url) =>
        jsonResponse(200, new URL(url, 'http://t').searchParams.get('exchange') === 'kraken'
          ? { count: 0, results: [] }
          : { count: 1, results: [{ id: 1, symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT' }] }),
    }
    fetchMock = stubFetch(routes)
  })

  afterEach(() => {
    useBotStore().stop()
    resetSockets()
    vi.useRealTimers()
  })

  async function started() {
    const store = useBotStore()
    await store.start()
    FakeWebSocket.last.simulateOpen()
    return store
  }

  it('charge la liste avec le détail de chaque stratégie, les stratégies et les brokers', async () => {
    const store = await started()
    expect(store.items.map((i) => i.id)).toEqual([1, 2])
    expect(store.items[0].position).toEqual(POSITION)
    expect(store.items[1].realized_pnl).toBe('1.5')
    expect(store.strategies).toHaveLength(1)
    expect(store.loaded).toBe(true)
    expect([...store.timeframes]).toEqual(['1m'])
  })

  it('une stratégie arrêtée, inchangée et sans position n’est pas relue au rafraîchissement suivant', async () => {
    const store = await started()
    await store.refreshAll()
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/2/')).toHaveLength(1)
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/1/')).toHaveLength(2)
    expect(store.items[1].realized_pnl).toBe('1.5') // détail conservé
  })

  it('signal d’une unité de temps suivie : une relecture groupée ; les autres unités sont ignorées', async () => {
    await started()
    const before = callsTo(fetchMock, 'GET', '/api/active-strategies/').length
    const signal = (timeframe) => ({ type: 'heartbeat.signal', timeframe, symbol: 'BTCUSDT', open_time: 1, close_time: 2, sent_at: 'x' })
    FakeWebSocket.last.simulateMessage(signal('4h')) // stratégie arrêtée : ne tourne pas
    await vi.advanceTimersByTimeAsync(SIGNAL_REFRESH_MS)
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/')).toHaveLength(before)
    FakeWebSocket.last.simulateMessage(signal('1m'))
    FakeWebSocket.last.simulateMessage(signal('1m'))
    await vi.advanceTimersByTimeAsync(SIGNAL_REFRESH_MS)
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/')).toHaveLength(before + 1)
  })

  it('position.changed, trade.created et active_strategy.changed relisent la seule stratégie concernée', async () => {
    const store = await started()
    routes['GET /api/active-strategies/1/'] = () => jsonResponse(200, detail(ACTIVE, { position: null, realized_pnl: '0.7' }))
    FakeWebSocket.last.simulateMessage({ type: 'position.changed', position_id: 9, active_strategy_id: 1, status: 'closed' })
    FakeWebSocket.last.simulateMessage({ type: 'trade.created', trade_id: 4, active_strategy_id: 1 })
    FakeWebSocket.last.simulateMessage({ type: 'trade.created', trade_id: 5, active_strategy_id: null }) // trade manuel
    await vi.advanceTimersByTimeAsync(EVENT_REFRESH_MS)
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/1/')).toHaveLength(2)
    expect(store.items[0]).toMatchObject({ position: null, realized_pnl: '0.7' })
    FakeWebSocket.last.simulateMessage({ type: 'active_strategy.changed', active_strategy_id: 77, is_active: true })
    await vi.advanceTimersByTimeAsync(EVENT_REFRESH_MS) // inconnue : toute la liste
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/')).toHaveLength(2)
  })

  it('sondage de secours toutes les 15 s, arrêté par stop()', async () => {
    const store = await started()
    await vi.advanceTimersByTimeAsync(BOT_POLL_MS)
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/')).toHaveLength(2)
    store.stop()
    await vi.advanceTimersByTimeAsync(BOT_POLL_MS * 2)
    expect(callsTo(fetchMock, 'GET', '/api/active-strategies/')).toHaveLength(2)
  })

  it('activation : POST, stratégie ajoutée en tête, barre de statut relue', async () => {
    const store = await started()
    const created = { ...ACTIVE, id: 3 }
    routes['POST /api/active-strategies/'] = () => jsonResponse(201, created)
    routes['GET /api/active-strategies/3/'] = () => jsonResponse(200, detail(created))
    const payload = { strategy: 3, broker: 5, symbol: 'BTC/USDT', start_date: PAST, end_date: FUTURE, is_active: true }
    await store.activate(payload)
    const [[, post]] = callsTo(fetchMock, 'POST', '/api/active-strategies/')
    expect(requestBody(fetchMock, post)).toEqual(payload)
    expect(store.items[0].id).toBe(3)
    expect(callsTo(fetchMock, 'GET', '/api/status/').length).toBeGreaterThan(0)
    expect(store.creating).toBe(false)
  })

  it('activation refusée (limite de 20) : l’ApiError française remonte au formulaire', async () => {
    const store = await started()
    const detailText = 'Limite atteinte : au maximum 20 stratégies actives simultanément.'
    routes['POST /api/active-strategies/'] = () => jsonResponse(409, { detail: detailText })
    await expect(store.activate({})).rejects.toMatchObject({ status: 409, message: detailText })
  })

  it('Stop avec position ouverte : code position_open, puis renvoi avec confirm', async () => {
    const store = await started()
    const message = 'Une position est ouverte sur BTC/USDT (0.0005) : confirmez l’arrêt.'
    routes['POST /api/active-strategies/1/stop/'] = (url, init) =>
      JSON.parse(init.body).confirm
        ? jsonResponse(200, detail(STOPPED, { id: 1 }))
        : jsonResponse(409, { detail: message, code: 'position_open', position_id: 9 })
    const refused = await store.stopStrategy(1)
    expect(refused).toEqual({ ok: false, message, code: 'position_open', status: 409 })
    const statusReads = callsTo(fetchMock, 'GET', '/api/status/').length
    const done = await store.stopStrategy(1, { confirm: true })
    expect(done.ok).toBe(true)
    const posts = callsTo(fetchMock, 'POST', '/api/active-strategies/1/stop/')
    expect(posts.map(([, i]) => requestBody(fetchMock, i))).toEqual([{ confirm: false }, { confirm: true }])
    expect(callsTo(fetchMock, 'GET', '/api/status/').length).toBe(statusReads + 1)
    expect(store.pending).toEqual({})
  })

  it('Suspendre, Reprendre, Vendre : une action à la fois par stratégie', async () => {
    const store = await started()
    routes['POST /api/active-strategies/1/suspend/'] = () => jsonResponse(200, detail({ ...ACTIVE, is_active: false }))
    routes['POST /api/active-strategies/1/sell/'] = () => jsonResponse(200, { ...POSITION, status: 'closed', realized_pnl: '0.4' })
    const first = store.suspendStrategy(1)
    expect(store.pending).toEqual({ 1: 'suspend' })
    expect(await store.sellPosition(1)).toMatchObject({ ok: false, message: expect.stringMatching(/déjà en cours/) })
    expect((await first).ok).toBe(true)
    expect(await store.sellPosition(1)).toMatchObject({ ok: true, data: { realized_pnl: '0.4' } })
    routes['POST /api/active-strategies/1/resume/'] = () => jsonResponse(409, { detail: 'Stratégie arrêtée ou expirée.', code: 'strategy_ended' })
    expect(await store.resumeStrategy(1)).toMatchObject({ ok: false, code: 'strategy_ended' })
  })

  it('Supprimer : la stratégie disparaît de la liste', async () => {
    const store = await started()
    routes['DELETE /api/active-strategies/2/'] = () => jsonResponse(204)
    routes['GET /api/active-strategies/2/'] = () => jsonResponse(404, { detail: 'Ressource introuvable.' })
    expect((await store.deleteStrategy(2)).ok).toBe(true)
    expect(store.items.map((i) => i.id)).toEqual([1])
  })

  it('paires : recherche différée ; exchange sans paires chargées signalé', async () => {
    const store = await started()
    await store.loadSymbols('binance')
    expect(store.symbols).toHaveLength(1)
    expect(store.symbolsMissing).toBe(false)
    store.searchSymbols('binance', 'bt')
    store.searchSymbols('binance', 'btc')
    await vi.advanceTimersByTimeAsync(SYMBOL_SEARCH_DEBOUNCE_MS)
    const searches = callsTo(fetchMock, 'GET', '/api/market-symbols/')
    expect(searches).toHaveLength(2)
    expect(new URL(fetchMock.mock.calls[searches[1][1]][0], 'http://t').searchParams.get('search')).toBe('btc')
    await store.loadSymbols('kraken')
    expect(store.symbolsMissing).toBe(true)
  })
})
