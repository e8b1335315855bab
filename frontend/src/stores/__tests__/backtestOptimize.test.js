import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { useBacktestStore } from '../backtest.js'
import { POLL_MS, SILENCE_MS, useBacktestOptimizeStore } from '../backtestOptimize.js'

const PARAMS = [{ name: 'fast', type: 'int', default: 10, line: 5 }, { name: 'slow', type: 'int', default: 20, line: 6 }]
const row = (id, overrides = {}) => ({
  id, status: 'pending', strategy: 3, strategy_name: 'EMA', broker: 5, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h',
  start_date: '2025-01-01T00:00:00Z', end_date: '2025-02-01T00:00:00Z', initial_amount: '10000.000000000000', fee_rate: '0.001000',
  grid: 'fast=5:20:3,slow=10:40:5', metric: 'sharpe_ratio', max_runs: null, test_ratio: null, params: {},
  download_progress: 0, progress: 0, runs_done: 0, runs_total: 42, error_message: '', ...overrides,
})
const RESULT = {
  metric: 'sharpe_ratio', grid: { fast: [5, 8], slow: [10, 15] }, total_runs: 4, workers: 2, train_candles: 700, test_candles: 0, elapsed_s: 1.2,
  runs: [{ params: { fast: 5, slow: 10 }, stats: { sharpe_ratio: 1.5 }, lookahead_detected: false, errors_count: 0, message: '' }],
  best: { params: { fast: 5, slow: 10 }, stats: { sharpe_ratio: 1.5 }, value: 1.5 },
}
const DONE = (id) => row(id, { status: 'done', download_progress: 100, progress: 100, runs_done: 4, runs_total: 4, result: RESULT })
const paths = (fetchMock) => fetchMock.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${new URL(url, 'http://t').pathname}`)
const flush = () => vi.advanceTimersByTimeAsync(0)

describe('store backtestOptimize', () => {
  let fetchMock
  let history
  let detail

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2025-03-10T12:00:00Z'))
    vi.stubGlobal('WebSocket', FakeWebSocket)
    FakeWebSocket.reset()
    resetSockets()
    setActivePinia(createPinia())
    history = []
    detail = {}
    fetchMock = stubFetch({
      'GET /api/backtest-optimizations/': () => jsonResponse(200, { count: history.length, results: history }),
      'POST /api/backtest-optimizations/': jsonResponse(201, row(7)),
      'GET /api/backtest-optimizations/7/': () => jsonResponse(200, detail[7] ?? DONE(7)),
      'POST /api/backtest-optimizations/7/cancel/': jsonResponse(200, row(7, { status: 'cancelled', runs_done: 12 })),
      'DELETE /api/backtest-optimizations/7/': jsonResponse(204),
      'POST /api/backtests/': jsonResponse(201, { id: 41, status: 'pending', download_progress: 0, progress: 0, params: { fast: 5, slow: 10 } }),
      'GET /api/backtests/': jsonResponse(200, { count: 0, results: [] }),
    })
  })

  afterEach(() => {
    useBacktestOptimizeStore().dispose()
    useBacktestStore().dispose()
    resetSockets()
    vi.useRealTimers()
  })

  function ready() {
    const backtest = useBacktestStore()
    Object.assign(backtest.form, { strategyId: 3, brokerId: 5, symbol: 'BTC/USDT', timeframe: '1h', startDate: '2025-01-01', endDate: '2025-01-31' })
    const store = useBacktestOptimizeStore()
    store.syncParameters(PARAMS)
    return store
  }

  it('lance la grille du formulaire, suit « 12 / 42 » par WebSocket puis ouvre le résultat', async () => {
    const store = ready()
    expect(store.analysis.combinations).toBe(42)
    await store.launch()
    const post = paths(fetchMock).indexOf('POST /api/backtest-optimizations/')
    expect(requestBody(fetchMock, post)).toMatchObject({ strategy: 3, broker: 5, grid: 'fast=5:20:3,slow=10:40:5', metric: 'sharpe_ratio', max_runs: null, test_ratio: null })
    expect(store.running).toBe(true)
    const socket = FakeWebSocket.last
    expect(socket.url).toMatch(/\/ws\/backtest-optimization\/7\/$/)
    socket.simulateOpen()
    socket.simulateMessage({ type: 'optimization.progress', optimization_id: 7, status: 'running', phase: 'compute', progress: 28, download_progress: 100, compute_progress: 28, runs_done: 12, runs_total: 42, message: '' })
    expect([store.run.runsDone, store.run.runsTotal, store.run.compute]).toEqual([12, 42, 28])
    history = [DONE(7)]
    socket.simulateMessage({ type: 'optimization.done', optimization_id: 7, status: 'done', total_runs: 42, best: RESULT.best })
    await flush()
    expect(store.running).toBe(false)
    expect(store.current.result.best.value).toBe(1.5)
  })

  it('grille invalide : erreur française avant tout appel ; refus du serveur : son detail tel quel', async () => {
    const store = ready()
    store.settings.rows[0].step = '0'
    await expect(store.launch()).rejects.toThrow('« fast » : le pas doit être strictement positif.')
    expect(paths(fetchMock)).not.toContain('POST /api/backtest-optimizations/')
    store.settings.rows[0].step = '3'
    fetchMock.mockImplementationOnce(async () => jsonResponse(400, { detail: 'Paramètre inconnu : « fast »' }))
    await expect(store.launch()).rejects.toThrow('Paramètre inconnu : « fast »')
  })

  it('Annuler : POST cancel, état « annulé », suivi arrêté', async () => {
    const store = ready()
    await store.launch()
    await store.cancel()
    expect(paths(fetchMock)).toContain('POST /api/backtest-optimizations/7/cancel/')
    expect(store.run.status).toBe('cancelled')
    expect(store.running).toBe(false)
  })

  it('rechargement : reprend l’optimisation active de l’historique, relit par HTTP si le flux se tait', async () => {
    history = [row(7, { status: 'running', progress: 50, runs_done: 21 })]
    detail[7] = row(7, { status: 'running', progress: 60, runs_done: 25 })
    const store = useBacktestOptimizeStore()
    const active = await store.resume()
    expect(active.id).toBe(7)
    expect(store.run.runsDone).toBe(21)
    await vi.advanceTimersByTimeAsync(SILENCE_MS + POLL_MS)
    expect(store.run.runsDone).toBe(25)
  })

  it('sans optimisation active : ouvre la dernière terminée ; suppression', async () => {
    history = [DONE(7)]
    const store = useBacktestOptimizeStore()
    await store.resume()
    expect(store.current.id).toBe(7)
    await store.remove(7)
    expect(store.current).toBeNull()
    expect(store.history).toEqual([])
  })

  it('Appliquer : backtest complet de l’optimisation ouverte avec les valeurs choisies', async () => {
    history = [DONE(7)]
    const store = useBacktestOptimizeStore()
    await store.resume()
    const backtest = await store.apply({ fast: 5, slow: 10 })
    expect(backtest.id).toBe(41)
    const post = paths(fetchMock).indexOf('POST /api/backtests/')
    expect(requestBody(fetchMock, post)).toMatchObject({ strategy: 3, broker: 5, symbol: 'BTC/USDT', timeframe: '1h', params: { fast: 5, slow: 10 }, start_date: '2025-01-01T00:00:00.000Z', end_date: '2025-02-01T00:00:00.000Z' })
    expect(useBacktestStore().running).toBe(true)
  })

  it('Appliquer refusé si la stratégie de l’optimisation a été supprimée (pas de backtest d’une autre stratégie)', async () => {
    const store = useBacktestOptimizeStore()
    await expect(store.apply({ fast: 5 }, row(7, { strategy: null }))).rejects.toThrow(/stratégie de cette optimisation a été supprimée/)
    expect(paths(fetchMock)).not.toContain('POST /api/backtests/')
  })
})
