import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { useAuthStore } from '../auth.js'
import { POLL_MS, SILENCE_MS, useBacktestStore } from '../backtest.js'

const row = (id, overrides = {}) => ({
  id, status: 'pending', strategy: 3, broker: 5, strategy_name: 'EMA', exchange: 'binance', symbol: 'BTC/USDT',
  timeframe: '5m', start_date: '2025-01-01T00:00:00Z', end_date: '2025-01-03T00:00:00Z', initial_amount: '10000.000000000000',
  fee_rate: '0.001000', download_progress: 0, progress: 0, error_message: '', total_pnl_pct: null, ...overrides,
})
const DONE = (id) => row(id, { status: 'done', download_progress: 100, progress: 100, total_pnl_pct: 2.5, trades_detail: [{ pnl: 1 }], equity_curve: [] })
const CANDLES = { timeframe: '5m', bucket_seconds: 300, aggregated: false, count: 1, candles: [[1735689600, 1, 2, 0.5, 1.5, 3]] }
const paths = (fetchMock) => fetchMock.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${new URL(url, 'http://t').pathname}`)
const flush = () => vi.advanceTimersByTimeAsync(0)

describe('store backtest', () => {
  let fetchMock
  let detail
  let history

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2025-03-10T12:00:00Z'))
    vi.stubGlobal('WebSocket', FakeWebSocket)
    FakeWebSocket.reset()
    resetSockets()
    setActivePinia(createPinia())
    detail = {}
    history = []
    fetchMock = stubFetch({
      'GET /api/backtests/': () => jsonResponse(200, { count: history.length, results: history }),
      'POST /api/backtests/': jsonResponse(201, row(41)),
      'GET /api/backtests/41/': () => jsonResponse(200, detail[41] ?? DONE(41)),
      'GET /api/backtests/42/': () => jsonResponse(200, detail[42] ?? DONE(42)),
      'GET /api/backtests/41/candles/': jsonResponse(200, CANDLES),
      'GET /api/backtests/42/candles/': jsonResponse(200, CANDLES),
      'POST /api/backtests/41/cancel/': jsonResponse(200, row(41, { status: 'cancelled', download_progress: 30 })),
      'DELETE /api/backtests/41/': jsonResponse(204),
    })
  })

  afterEach(() => {
    useBacktestStore().dispose()
    resetSockets()
    vi.useRealTimers()
  })

  it('lance le formulaire, suit la progression par WebSocket puis ouvre le résultat', async () => {
    const store = useBacktestStore()
    Object.assign(store.form, { strategyId: 3, brokerId: 5, symbol: 'eth/usdt', timeframe: '5m', feePct: '0.1' })
    await store.launch()
    const post = paths(fetchMock).indexOf('POST /api/backtests/')
    expect(requestBody(fetchMock, post)).toMatchObject({ strategy: 3, broker: 5, symbol: 'ETH/USDT', timeframe: '5m', fee_rate: '0.001' })
    expect(store.running).toBe(true)
    expect(store.history.map((r) => r.id)).toEqual([41])
    const socket = FakeWebSocket.last
    expect(socket.url).toMatch(/\/ws\/backtest\/41\/$/)
    socket.simulateOpen()
    socket.simulateMessage({ type: 'backtest.progress', backtest_id: 41, status: 'downloading', phase: 'download', progress: 60, download_progress: 60, compute_progress: 0, message: '600 / 1 000 bougies téléchargées' })
    expect([store.run.phase, store.run.download, store.run.message]).toEqual(['download', 60, '600 / 1 000 bougies téléchargées'])
    socket.simulateMessage({ type: 'backtest.progress', backtest_id: 41, status: 'running', phase: 'compute', progress: 50, download_progress: 100, compute_progress: 50, message: '' })
    expect([store.run.status, store.run.compute]).toEqual(['running', 50])
    history = [DONE(41)]
    socket.simulateMessage({ type: 'backtest.done', backtest_id: 41, status: 'done', summary: { total_trades: 1 } })
    await flush()
    expect(store.running).toBe(false)
    expect(store.result.id).toBe(41)
    expect(store.candles).toEqual(CANDLES)
    expect(socket.readyState).toBe(FakeWebSocket.CLOSED) // plus d'abonné : connexion fermée
    expect(paths(fetchMock)).toContain('GET /api/backtests/41/candles/')
  })

  it('fuseau « heure locale » (Mon Compte) : jours de Paris, instants exacts envoyés, reprise dans ce fuseau', async () => {
    useAuthStore().user = { id: 1, username: 'dac', display_timezone: 'local' }
    const store = useBacktestStore()
    expect(store.timezone).toBe('local')
    Object.assign(store.form, { strategyId: 3, brokerId: 5, startDate: '2025-03-01', endDate: '2025-03-09' })
    await store.launch()
    const post = paths(fetchMock).indexOf('POST /api/backtests/')
    expect(requestBody(fetchMock, post)).toMatchObject({ start_date: '2025-02-28T23:00:00.000Z', end_date: '2025-03-09T23:00:00.000Z' })
    store.reuseSettings(row(50, { start_date: '2025-02-28T23:00:00Z', end_date: '2025-03-09T23:00:00Z' }))
    expect([store.form.startDate, store.form.endDate]).toEqual(['2025-03-01', '2025-03-09'])
  })

  it('refuse un formulaire incomplet sans appeler l’API', async () => {
    const store = useBacktestStore()
    await expect(store.launch()).rejects.toThrow('Choisissez une stratégie.')
    expect(paths(fetchMock)).not.toContain('POST /api/backtests/')
  })

  it('relit la ligne par HTTP quand le WebSocket se tait (serveur redémarré)', async () => {
    const store = useBacktestStore()
    store.follow(row(41, { status: 'running', download_progress: 100, progress: 20 }))
    detail[41] = row(41, { status: 'error', download_progress: 100, progress: 20, error_message: 'Backtest interrompu par un redémarrage du serveur : relancez-le.' })
    await vi.advanceTimersByTimeAsync(SILENCE_MS - POLL_MS)
    expect(paths(fetchMock)).not.toContain('GET /api/backtests/41/')
    await vi.advanceTimersByTimeAsync(POLL_MS * 2)
    expect(store.run.status).toBe('error')
    expect(store.run.error).toContain('interrompu par un redémarrage')
    expect(store.running).toBe(false)
  })

  it('Stop annule le backtest suivi et arrête le suivi', async () => {
    const store = useBacktestStore()
    store.follow(row(41, { status: 'downloading', download_progress: 30 }))
    await store.cancel()
    expect(paths(fetchMock)).toContain('POST /api/backtests/41/cancel/')
    expect([store.run.status, store.run.phase, store.running]).toEqual(['cancelled', 'download', false])
    expect(store.result).toBeNull()
  })

  it('reprend le suivi d’un backtest actif au chargement de la page, sinon ouvre le dernier résultat', async () => {
    history = [row(41, { status: 'running', download_progress: 100, progress: 35 }), DONE(42)]
    const store = useBacktestStore()
    await store.resume()
    expect([store.run.id, store.run.compute, store.running]).toEqual([41, 35, true])
    expect(FakeWebSocket.last.url).toMatch(/\/ws\/backtest\/41\/$/)

    setActivePinia(createPinia())
    history = [DONE(42)]
    const fresh = useBacktestStore()
    await fresh.resume()
    expect(fresh.result.id).toBe(42)
  })

  it('reprend le suivi au retour sur la page, ou ouvre le résultat terminé pendant l’absence', async () => {
    history = [row(41, { status: 'running', download_progress: 100, progress: 10 })]
    const store = useBacktestStore()
    await store.resume()
    store.dispose() // la page est quittée
    await store.resume() // et rouverte : même backtest, de nouveau suivi
    expect(store.running).toBe(true)
    FakeWebSocket.last.simulateOpen()
    FakeWebSocket.last.simulateMessage({ type: 'backtest.progress', backtest_id: 41, status: 'running', phase: 'compute', progress: 70, download_progress: 100, compute_progress: 70, message: '' })
    expect(store.run.compute).toBe(70)
    store.dispose()
    history = [DONE(41)]
    await store.resume()
    expect([store.run.status, store.running, store.result?.id]).toEqual(['done', false, 41])
  })

  it('compare deux backtests (le troisième choix remplace le plus ancien) et supprime', async () => {
    history = [DONE(41), DONE(42)]
    const store = useBacktestStore()
    await store.loadHistory()
    store.toggleCompare(41)
    expect(store.compared).toEqual([])
    store.toggleCompare(42)
    await flush()
    expect(store.compared.map((r) => r.id)).toEqual([41, 42])
    store.toggleCompare(41)
    expect([store.compareIds, store.compared]).toEqual([[42], []])
    store.toggleCompare(41)
    await flush()
    await store.remove(41)
    expect(store.history.map((r) => r.id)).toEqual([42])
    expect(store.compareIds).toEqual([42])
    expect(store.compared.map((r) => r.id)).toEqual([42])
  })
})
