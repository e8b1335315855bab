import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { useAuthStore } from '../auth.js'
import { SEARCH_DEBOUNCE_MS, TICKER_POLL_MS, useTradingStore } from '../trading.js'

const BROKERS = [
  { id: 5, name: 'Principal', exchange: 'binance', is_default: false, is_testnet: false },
  { id: 7, name: 'Second', exchange: 'binance', is_default: true, is_testnet: false },
]
const BTC = { id: 1, exchange: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amount_precision: '0.00001', min_cost: '5' }
const portfolio = (brokerId, usdt = 10000) => ({
  broker: { id: brokerId, name: 'x', exchange: 'binance', is_testnet: false },
  exchange: 'binance',
  balances: [{ asset: 'USDT', free: usdt, used: 0, total: usdt, usd_price: 1, usd_value: usdt }],
  total_usd: usdt,
  fetched_at: '2026-01-01T00:00:00Z',
})
const TRADE = { id: 11, symbol: 'BTC/USDT', side: 'buy', status: 'filled', quantity: '0.00166', price: '60000', cost: '99.6' }
const REFUSED = {
  detail: 'Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 1 USDT).',
  code: 'order_error',
  trade: { ...TRADE, id: 12, status: 'error', quantity: '0' },
}

const query = (fetchMock, index) => Object.fromEntries(new URL(fetchMock.mock.calls[index][0], 'http://t').searchParams)
const callsTo = (fetchMock, path) => fetchMock.mock.calls.map(([url], i) => [new URL(url, 'http://t').pathname, i]).filter(([p]) => p === path)

describe('store trading', () => {
  let fetchMock
  let price
  let orderResponse
  let brokerList
  let syncResponse

  beforeEach(() => {
    vi.useFakeTimers()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    useAuthStore().user = { id: 1, username: 'dac' }
    brokerList = BROKERS
    price = 60000
    orderResponse = jsonResponse(201, TRADE)
    syncResponse = () => jsonResponse(200, { broker: 7, synced: 0, synced_at: '2026-01-01T00:00:00Z' })
    fetchMock = stubFetch({
      'GET /api/brokers/': () => jsonResponse(200, brokerList),
      'GET /api/trading-manual/portfolio/': (url) => jsonResponse(200, portfolio(Number(new URL(url, 'http://t').searchParams.get('broker')))),
      'GET /api/market-symbols/': jsonResponse(200, { count: 60, next: null, previous: null, results: [BTC] }),
      'GET /api/trading-manual/open-orders/': (url) =>
        jsonResponse(200, new URL(url, 'http://t').searchParams.get('broker') === '7'
          ? [{ id: '2', symbol: 'BTC/USDT', side: 'buy', timestamp: 1, origin: null }, { id: '3', symbol: 'ETH/USDT', side: 'sell', timestamp: 2, origin: null }]
          : []),
      'GET /api/trades/': jsonResponse(200, { count: 1, results: [TRADE] }),
      'GET /api/brokers/7/ticker/': () => jsonResponse(200, { symbol: 'BTC/USDT', last: price, bid: price, ask: price + 1, timestamp: 5 }),
      'POST /api/trading-manual/orders/': () => orderResponse.clone(),
      'POST /api/brokers/7/orders/2/cancel/': jsonResponse(200, { id: '2', status: 'canceled' }),
      'POST /api/trading-manual/sync/': () => syncResponse(),
    })
  })

  afterEach(() => {
    useTradingStore().stop()
    resetSockets()
    vi.useRealTimers()
  })

  it('ouvre sur le broker par défaut et charge tout ce qui en dépend', async () => {
    const store = useTradingStore()
    await store.start()
    expect(store.brokerId).toBe(7)
    expect(store.portfolio.broker.id).toBe(7)
    expect(store.symbols).toEqual([BTC])
    expect(store.symbolsCount).toBe(60)
    const [[, symbolsCall]] = callsTo(fetchMock, '/api/market-symbols/')
    expect(query(fetchMock, symbolsCall)).toEqual({ exchange: 'binance', page: '1', page_size: '25', active: 'true' })
    const [[, tradesCall]] = callsTo(fetchMock, '/api/trades/')
    expect(query(fetchMock, tradesCall)).toEqual({ source: 'manual', broker: '7', page_size: '20' })
    expect(store.openOrders.map((o) => o.id)).toEqual(['3', '2']) // plus récent d'abord
    expect(store.trades).toEqual([TRADE])
  })

  it('sans broker par défaut : le premier de la liste', async () => {
    brokerList = BROKERS.map((b) => ({ ...b, is_default: false }))
    const store = useTradingStore()
    await store.start()
    expect(store.brokerId).toBe(5)
  })

  it('recherche différée, page et taille de page envoyées à l’API', async () => {
    const store = useTradingStore()
    await store.start()
    store.setSearch('bt')
    store.setSearch('btc')
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)
    let calls = callsTo(fetchMock, '/api/market-symbols/')
    expect(calls).toHaveLength(2) // une seule requête pour la frappe
    expect(query(fetchMock, calls[1][1]).search).toBe('btc')
    await store.setPage(3)
    await store.setPageSize(10)
    calls = callsTo(fetchMock, '/api/market-symbols/')
    expect(query(fetchMock, calls.at(-2)[1])).toMatchObject({ page: '3', page_size: '25' })
    expect(query(fetchMock, calls.at(-1)[1])).toMatchObject({ page: '6', page_size: '10' }) // élément 51 toujours visible
    await store.setPage(99)
    expect(store.page).toBe(6) // 60 paires / 10 = 6 pages
  })

  it('le symbole choisi a son prix relu toutes les TICKER_POLL_MS, jusqu’à stop()', async () => {
    const store = useTradingStore()
    await store.start()
    await store.selectSymbol(BTC)
    expect(store.lastPrice).toBe(60000)
    expect(store.ticker.receivedAt).toBeTypeOf('number')
    price = 61000
    await vi.advanceTimersByTimeAsync(TICKER_POLL_MS)
    expect(store.lastPrice).toBe(61000)
    store.stop()
    const polls = callsTo(fetchMock, '/api/brokers/7/ticker/').length
    await vi.advanceTimersByTimeAsync(TICKER_POLL_MS * 3)
    expect(callsTo(fetchMock, '/api/brokers/7/ticker/')).toHaveLength(polls)
    expect(query(fetchMock, callsTo(fetchMock, '/api/brokers/7/ticker/')[0][1])).toEqual({ symbol: 'BTC/USDT' })
  })

  it('ordre accepté : message français, puis portefeuille, ordres et journal relus', async () => {
    const store = useTradingStore()
    await store.start()
    const before = callsTo(fetchMock, '/api/trading-manual/portfolio/').length
    const payload = { broker: 7, symbol: 'BTC/USDT', side: 'buy', order_type: 'market', quote_amount: '100' }
    const result = await store.placeOrder(payload)
    expect(result.ok).toBe(true)
    expect(result.message.replace(/[\u00a0\u202f]/g, ' ')).toBe('Achat exécuté : 0,00166 BTC à 60 000,00 USDT (99,60 USDT).')
    const [[, orderCall]] = callsTo(fetchMock, '/api/trading-manual/orders/')
    expect(requestBody(fetchMock, orderCall)).toEqual(payload)
    await vi.waitFor(() => expect(callsTo(fetchMock, '/api/trading-manual/portfolio/').length).toBe(before + 1))
    expect(store.placing).toBe(false)
  })

  it('ordre refusé : le message exact de l’API et la tentative enregistrée', async () => {
    orderResponse = jsonResponse(400, REFUSED)
    const store = useTradingStore()
    await store.start()
    const result = await store.placeOrder({ broker: 7, symbol: 'BTC/USDT', side: 'buy', order_type: 'market', quote_amount: '1' })
    expect(result).toMatchObject({ ok: false, status: 400, message: REFUSED.detail, trade: { id: 12, status: 'error' } })
  })

  it('changer de broker ignore les réponses tardives de l’ancien', async () => {
    let release
    const store = useTradingStore()
    await store.start()
    fetchMock.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          release = () => resolve(jsonResponse(200, portfolio(7, 1)))
        }),
    )
    const slow = store.refreshPortfolio()
    await store.selectBroker(5)
    release()
    await slow
    expect(store.portfolio.broker.id).toBe(5)
    expect(store.portfolio.total_usd).toBe(10000)
  })

  it('une lecture lente d’avant l’annulation n’écrase pas le journal relu après', async () => {
    let release
    const store = useTradingStore()
    await store.start()
    const open = { ...TRADE, id: 20, status: 'open' }
    fetchMock.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          release = () => resolve(jsonResponse(200, { count: 1, results: [open] }))
        }),
    )
    const stale = store.refreshTrades() // lancée par l'ordre, avant l'annulation
    fetchMock.mockImplementationOnce(() => Promise.resolve(jsonResponse(200, { count: 1, results: [{ ...open, status: 'canceled' }] })))
    await store.refreshTrades() // lancée après l'annulation, répond la première
    release()
    await stale
    expect(store.trades.map((t) => t.status)).toEqual(['canceled'])
    expect(store.tradesLoading).toBe(false)
  })

  it('annule un ordre ouvert puis relit les ordres', async () => {
    const store = useTradingStore()
    await store.start()
    await store.cancelOpenOrder({ id: '2', symbol: 'BTC/USDT' })
    const [[, cancelCall]] = callsTo(fetchMock, '/api/brokers/7/orders/2/cancel/')
    expect(requestBody(fetchMock, cancelCall)).toEqual({ symbol: 'BTC/USDT' })
    const openOrderReads = callsTo(fetchMock, '/api/trading-manual/open-orders/')
      .filter(([, i]) => new URL(fetchMock.mock.calls[i][0], 'http://t').searchParams.get('broker') === '7')
    expect(openOrderReads).toHaveLength(2)
    expect(callsTo(fetchMock, '/api/trading-manual/sync/')).toHaveLength(2) // ouverture, puis après l'annulation
  })

  it('à l’ouverture, rattrape le journal par POST (les GET n’écrivent pas) : rien de relu, rien à relire', async () => {
    const store = useTradingStore()
    await store.start()
    const syncs = callsTo(fetchMock, '/api/trading-manual/sync/')
    expect(syncs).toHaveLength(1)
    expect(fetchMock.mock.calls[syncs[0][1]][1].method).toBe('POST')
    expect(requestBody(fetchMock, syncs[0][1])).toEqual({ broker: 7 })
    for (const path of ['/api/trading-manual/portfolio/', '/api/trading-manual/open-orders/', '/api/trades/']) {
      expect(callsTo(fetchMock, path)).toHaveLength(1)
    }
    expect(store.syncError).toBeNull()
  })

  it('des lignes rattrapées (limite exécutée depuis) : portefeuille, ordres ouverts et journal relus', async () => {
    syncResponse = () => jsonResponse(200, { broker: 7, synced: 1, synced_at: '2026-01-01T00:00:00Z' })
    const store = useTradingStore()
    await store.start()
    for (const path of ['/api/trading-manual/portfolio/', '/api/trading-manual/open-orders/', '/api/trades/']) {
      expect(callsTo(fetchMock, path)).toHaveLength(2)
    }
    await store.refresh() // « Actualiser » : même chose
    expect(callsTo(fetchMock, '/api/trading-manual/sync/')).toHaveLength(2)
    expect(callsTo(fetchMock, '/api/trading-manual/portfolio/')).toHaveLength(4)
  })

  it('rattrapage refusé (429) : les lectures ont lieu quand même, le message est gardé', async () => {
    syncResponse = () => jsonResponse(429, { detail: 'Trop de rattrapages demandés : réessayez dans 12 s.' })
    const store = useTradingStore()
    await store.start()
    expect(store.syncError).toBe('Journal non rattrapé : Trop de rattrapages demandés : réessayez dans 12 s.')
    expect(store.portfolio.broker.id).toBe(7)
    expect(store.openOrders.map((o) => o.id)).toEqual(['3', '2'])
    syncResponse = () => jsonResponse(200, { broker: 7, synced: 0, synced_at: '2026-01-01T00:00:00Z' })
    await store.refresh()
    expect(store.syncError).toBeNull()
  })
})
