import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { RELOAD_DEBOUNCE_MS, useStatsStore } from '../stats.js'

const metrics = (fields = {}) => ({ pnl: '0', closed_trades: 0, wins: 0, losses: 0, win_rate: null, fees: '0', volume: '0', orders: 0, errors: 0, ...fields })
const SUMMARY = {
  total: metrics({ pnl: '100.65', closed_trades: 7, wins: 4, losses: 3, win_rate: '0.5714', orders: 9, errors: 2 }),
  by_source: {
    manual: { source: 'manual', label: 'Manuel', ...metrics({ pnl: '78.65' }) },
    strategy: { source: 'strategy', label: 'Stratégie', ...metrics({ pnl: '14.4' }) },
    webhook: { source: 'webhook', label: 'Webhook', ...metrics({ pnl: '7.6' }) },
  },
}
const PNL = { interval: 'day', timezone: 'UTC', kind: 'realized_pnl', opening_pnl: '0', points: [{ time: '2026-01-06T00:00:00+00:00', timestamp: 1767657600, pnl: '98.9', cumulative: '98.9', closed_trades: 1 }] }
const BALANCE_POINT = {
  time: '2026-01-30T10:00:00+00:00', timestamp: 1769767200, taken_at: '2026-01-30T10:00:04+00:00', total_usd: '6000',
  assets: [{ asset: 'BTC', total: '0.1', usd_value: '5000' }, { asset: 'USDT', total: '1000', usd_value: '1000' }],
  others_count: 0, others_usd: '0', brokers: [{ broker_id: 4, total_usd: '6000', error: null }],
}
const balance = (points) => ({ interval: 'hour', timezone: 'UTC', kind: 'balance', snapshot_minutes: 60, brokers: [{ id: 4, name: 'Binance' }], points })
const EMPTY_SUMMARY = { total: metrics(), by_source: {} }

describe('store stats', () => {
  let fetchMock
  let summary
  let balancePoints

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-01-31T12:00:00Z'))
    FakeWebSocket.reset()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    summary = SUMMARY
    balancePoints = []
    fetchMock = stubFetch({
      'GET /api/stats/summary/': () => jsonResponse(200, summary),
      'GET /api/stats/strategies/': jsonResponse(200, { results: [{ strategy_id: 1, name: 'MACD', ...metrics({ pnl: '15' }) }] }),
      'GET /api/stats/webhook-sources/': jsonResponse(200, { results: [] }),
      'GET /api/stats/symbols/': jsonResponse(200, { results: [{ symbol: 'BTC/USDT', ...metrics() }] }),
      'GET /api/stats/pnl-history/': jsonResponse(200, PNL),
      'GET /api/stats/balance-history/': () => jsonResponse(200, balance(balancePoints)),
      'POST /api/stats/balance-snapshots/': () => {
        balancePoints = [BALANCE_POINT]
        return jsonResponse(201, { taken_at: BALANCE_POINT.taken_at, results: [{ broker_id: 4, broker_name: 'Binance', total_usd: '6000', error: null }] })
      },
    })
  })

  afterEach(() => {
    useStatsStore().stop()
    resetSockets()
    vi.useRealTimers()
  })

  const urls = (path) => fetchMock.mock.calls.map(([url]) => url).filter((url) => url.startsWith(path))

  it('charge les six ressources avec les mêmes filtres (30 j par défaut, en UTC)', async () => {
    const store = useStatsStore()
    await store.start()
    expect(store.total.pnl).toBe('100.65')
    expect(store.bySource.map((s) => s.source)).toEqual(['manual', 'strategy', 'webhook'])
    expect(store.strategies[0].name).toBe('MACD')
    expect(store.manualSymbols).toHaveLength(1)
    expect(store.pnlHistory.points).toHaveLength(1)
    expect(store.balanceHistory.points).toEqual([])
    expect(store.isEmpty).toBe(false)
    expect(urls('/api/stats/summary/')).toEqual(['/api/stats/summary/?start=2026-01-02&tz=UTC'])
    expect(urls('/api/stats/symbols/')).toEqual(['/api/stats/symbols/?start=2026-01-02&tz=UTC&source=manual'])
    expect(urls('/api/stats/pnl-history/')).toEqual(['/api/stats/pnl-history/?start=2026-01-02&tz=UTC&interval=day'])
    // 30 jours de relevés horaires : le solde reste à l'heure (la courbe du P&L est journalière).
    expect(urls('/api/stats/balance-history/')).toEqual(['/api/stats/balance-history/?start=2026-01-02&tz=UTC&interval=hour'])
  })

  it('changer de broker ou de période recharge ; 7 j → courbe horaire', async () => {
    const store = useStatsStore()
    await store.start()
    await store.setFilters({ broker: '4', preset: '7d' })
    expect(urls('/api/stats/summary/').at(-1)).toBe('/api/stats/summary/?broker=4&start=2026-01-25&tz=UTC')
    expect(urls('/api/stats/pnl-history/').at(-1)).toContain('interval=hour')
    expect(urls('/api/stats/balance-history/').at(-1)).toBe('/api/stats/balance-history/?broker=4&start=2026-01-25&tz=UTC&interval=hour')
    await store.setFilters({ broker: '', preset: 'all' })
    expect(urls('/api/stats/summary/').at(-1)).toBe('/api/stats/summary/?tz=UTC')
    expect(urls('/api/stats/balance-history/').at(-1)).toBe('/api/stats/balance-history/?tz=UTC&interval=day')
  })

  it('« Relever maintenant » : un POST, puis l’évolution du solde rechargée avec les filtres', async () => {
    const store = useStatsStore()
    await store.start()
    await store.setFilters({ broker: '4' })
    const pending = store.snapshotNow()
    expect(store.snapshotting).toBe(true)
    await pending
    expect(store.snapshotting).toBe(false)
    expect(fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST')).toHaveLength(1)
    expect(store.snapshotResult).toEqual({ text: '1 solde relevé.', tone: 'ok' })
    expect(store.balanceHistory.points).toEqual([BALANCE_POINT])
    expect(urls('/api/stats/balance-history/').at(-1)).toBe('/api/stats/balance-history/?broker=4&start=2026-01-02&tz=UTC&interval=hour')
  })

  it('« Relever maintenant » refusé : le message du serveur est montré', async () => {
    const store = useStatsStore()
    await store.start()
    fetchMock.mockImplementationOnce(async () => jsonResponse(429, { detail: 'Trop de relevés demandés : réessayez dans 42 s.' }))
    await store.snapshotNow()
    expect(store.snapshotResult).toEqual({ text: 'Trop de relevés demandés : réessayez dans 42 s.', tone: 'error' })
    expect(store.snapshotting).toBe(false)
  })

  it('dates incohérentes : aucune requête, erreur en français', async () => {
    const store = useStatsStore()
    await store.start()
    const before = fetchMock.mock.calls.length
    await store.setFilters({ preset: 'custom', customStart: '2026-01-20', customEnd: '2026-01-10' })
    expect(fetchMock.mock.calls.length).toBe(before)
    expect(store.error).toBe('La date de début doit précéder la date de fin.')
  })

  it('état vide quand aucun trade', async () => {
    summary = EMPTY_SUMMARY
    const store = useStatsStore()
    await store.start()
    expect(store.isEmpty).toBe(true)
  })

  it('une réponse périmée n’écrase pas la plus récente', async () => {
    const store = useStatsStore()
    let release
    fetchMock.mockImplementationOnce(() => new Promise((resolve) => (release = resolve)))
    const first = store.load()
    summary = { ...SUMMARY, total: metrics({ pnl: '-1' }) }
    await store.load()
    release(jsonResponse(200, SUMMARY))
    await first
    expect(store.total.pnl).toBe('-1')
  })

  it('un trade.created relance le calcul (rafales regroupées)', async () => {
    const store = useStatsStore()
    await store.start()
    FakeWebSocket.last.simulateOpen()
    const before = urls('/api/stats/summary/').length
    FakeWebSocket.last.simulateMessage({ type: 'trade.created', trade_id: 1 })
    FakeWebSocket.last.simulateMessage({ type: 'trade.created', trade_id: 2 })
    await vi.advanceTimersByTimeAsync(RELOAD_DEBOUNCE_MS + 10)
    expect(urls('/api/stats/summary/').length).toBe(before + 1)
  })

  it('erreur serveur affichée telle quelle', async () => {
    fetchMock.mockImplementation(async () => jsonResponse(404, { detail: 'Broker introuvable (id 99).' }))
    const store = useStatsStore()
    await store.setFilters({ broker: '99' })
    expect(store.error).toBe('Broker introuvable (id 99).')
  })
})
