import { describe, expect, it } from 'vitest'
import { candleData, drawdownData, levelSeries, returnData, snapTime, toSeconds, tradeMarkers } from '../backtestChart.js'
import { applyProgressMessage, buildPayload, defaultForm, formErrors, inclusiveEnd, progressFromBacktest } from '../backtestRun.js'
import { compareRows, statCards } from '../backtestStats.js'
import { pageCount, pageOf, sortTrades, tradeRows } from '../backtestTrades.js'

const T0 = Date.parse('2025-01-01T00:00:00Z') / 1000
const trade = (overrides = {}) => ({
  entry_time: '2025-01-01T00:10:00Z', exit_time: '2025-01-01T01:00:00Z', entry_price: 100, exit_price: 110,
  qty: 1, fee: 0.2, pnl: 9.8, pnl_pct: 9.8, exit_reason: 'take_profit', balance_after: 1009.8,
  stop_loss: 95, take_profit: 110, ...overrides,
})

describe('graphique du backtest', () => {
  it('convertit les temps et cale sur le seau des bougies regroupées', () => {
    expect(toSeconds('2025-01-01T00:10:00Z')).toBe(T0 + 600)
    expect(toSeconds(1735690200000)).toBe(1735690200)
    expect(toSeconds(null)).toBeNull()
    expect(snapTime(T0 + 1300, 900)).toBe(T0 + 900)
    expect(snapTime(T0 + 1300, 0)).toBe(T0 + 1300)
    expect(candleData({ candles: [[T0, 1, 2, 0.5, 1.5, 9]] })).toEqual([{ time: T0, open: 1, high: 2, low: 0.5, close: 1.5 }])
  })

  it('construit un marqueur d’achat et un de sortie coloré selon le P&L, triés', () => {
    const markers = tradeMarkers([trade(), trade({ entry_time: '2025-01-01T00:20:00Z', exit_time: '2025-01-01T00:40:00Z', pnl: -3, exit_reason: 'stop_loss' })], 900)
    expect(markers.map((m) => m.time)).toEqual([T0, T0 + 900, T0 + 1800, T0 + 3600])
    const exits = markers.filter((m) => m.shape === 'arrowDown')
    expect(exits.map((m) => [m.color, m.text])).toEqual([['loss', 'SL'], ['profit', 'TP']])
    expect(markers.filter((m) => m.shape === 'arrowUp').every((m) => m.position === 'belowBar' && m.text === 'Achat')).toBe(true)
  })

  it('éclaircit les marqueurs au-delà du maximum mais garde le trade choisi', () => {
    const many = Array.from({ length: 100 }, (_, i) => trade({ entry_time: (T0 + i * 120) * 1000, exit_time: (T0 + i * 120 + 60) * 1000 }))
    const markers = tradeMarkers(many, 0, { max: 10, selected: 55 })
    expect(markers.length).toBe(22) // 10 trades sur 100 + le n° 55, entrée et sortie
    expect(markers.some((m) => m.time === T0 + 55 * 120 && m.size === 2)).toBe(true)
    expect(markers.every((m) => m.text === undefined || m.size === 2)).toBe(true)
  })

  it('trace entrée, SL et TP du trade choisi entre l’entrée et la sortie', () => {
    const series = levelSeries(trade({ take_profit: null }), 0)
    expect(series.map((s) => s.id)).toEqual(['level-entry', 'level-sl'])
    expect(series[1].data).toEqual([{ time: T0 + 600, value: 95 }, { time: T0 + 3600, value: 95 }])
    expect(series[1].options.title).toBe('SL')
    const same = levelSeries(trade({ exit_time: '2025-01-01T00:12:00Z' }), 900)
    expect(same[0].data[1].time - same[0].data[0].time).toBe(900) // sortie dans le même seau : visible quand même
    expect(levelSeries(null)).toEqual([])
  })

  it('drawdown négatif et rendement en % pour comparer', () => {
    const curve = [{ time: 'a', equity: 1000, drawdown_pct: 0 }, { time: 'b', equity: 900, drawdown_pct: 10 }]
    expect(drawdownData(curve).map((p) => p.value)).toEqual([-0, -10])
    const returns = returnData(curve, '1000').map((p) => p.value)
    expect(returns[0]).toBe(0)
    expect(returns[1]).toBeCloseTo(-10, 9)
    expect(returnData(curve, 0)).toEqual([])
  })
})

describe('liste des trades', () => {
  const rows = tradeRows([trade({ pnl: 5 }), trade({ pnl: -2, exit_reason: 'stop_loss' }), trade({ pnl: 12, entry_time: '2024-12-31T23:00:00Z' })])

  it('numérote les trades et traduit la raison de sortie', () => {
    expect(rows.map((r) => [r.index, r.position, r.exit_label])).toEqual([[1, 0, 'TP'], [2, 1, 'SL'], [3, 2, 'TP']])
    expect(rows[0].duration_s).toBe(3000)
  })

  it('trie par P&L, par date, dans les deux sens, de façon stable', () => {
    expect(sortTrades(rows, { key: 'pnl', direction: 'desc' }).map((r) => r.index)).toEqual([3, 1, 2])
    expect(sortTrades(rows, { key: 'pnl', direction: 'asc' }).map((r) => r.index)).toEqual([2, 1, 3])
    expect(sortTrades(rows, { key: 'entry_time', direction: 'asc' }).map((r) => r.index)).toEqual([3, 1, 2])
    expect(sortTrades(rows, { key: 'exit_label', direction: 'asc' }).map((r) => r.index)).toEqual([2, 1, 3])
    expect(sortTrades(rows, null)).toBe(rows)
  })

  it('découpe en pages', () => {
    const many = Array.from({ length: 120 }, (_, i) => i)
    expect(pageCount(120)).toBe(3)
    expect(pageOf(many, 3)).toEqual(many.slice(100))
    expect(pageOf(many, 99)).toEqual(many.slice(100))
    expect(pageCount(0)).toBe(1)
  })
})

describe('statistiques et comparaison', () => {
  const a = { id: 1, total_pnl_pct: 12.5, win_rate: 55, max_drawdown_pct: 8, sharpe_ratio: 1.2, final_amount: '11250', total_trades: 10,
    stats: { profit_factor: 1.8, expectancy_pct: 1.1, fees_paid: 20, vs_buy_and_hold_pct: 3, exposure_pct: 40 } }
  const b = { id: 2, total_pnl_pct: -4, win_rate: 55, max_drawdown_pct: 3, sharpe_ratio: null, final_amount: '9600', total_trades: 4,
    stats: { profit_factor: 0.7, expectancy_pct: -1, fees_paid: 8, vs_buy_and_hold_pct: -2, exposure_pct: 20 } }

  it('désigne la meilleure valeur selon le sens de chaque statistique', () => {
    const rows = Object.fromEntries(compareRows(a, b).map((r) => [r.key, r]))
    expect(rows.total_pnl_pct.winner).toBe('a')
    expect(rows.max_drawdown_pct.winner).toBe('b') // plus faible = mieux
    expect(rows.fees_paid.winner).toBe('b')
    expect(rows.win_rate.winner).toBeNull() // égalité
    expect(rows.sharpe_ratio.winner).toBeNull() // valeur absente
    expect(rows.total_trades.winner).toBeNull() // informatif
    expect(rows.total_pnl_pct.a).toBe('+12,50 %')
    expect(rows.sharpe_ratio.b).toBe('—')
  })

  it('prépare les cartes du résultat (montant final, P&L signé, buy & hold…)', () => {
    const cards = Object.fromEntries(statCards({ ...a, initial_amount: '10000', total_pnl: '1250', fee_rate: '0.001', winning_trades: 6, losing_trades: 4,
      stats: { ...a.stats, buy_and_hold_final: 10500, buy_and_hold_pct: 5 } }).map((c) => [c.id, c]))
    expect(Object.keys(cards)).toHaveLength(12)
    expect(cards.pnl.value).toBe('+1\u202f250,00')
    expect(cards.pnl.tone).toBe('success')
    expect(cards.pnl.hint).toBe('+12,50 %')
    expect(cards['buy-hold'].hint).toContain('stratégie +3,00 %')
    expect(cards.fees.hint).toBe('Taux 0,1 %')
  })
})

describe('formulaire et progression', () => {
  it('valide le formulaire en français et construit le corps de l’API', () => {
    const now = new Date('2025-03-10T12:00:00Z')
    const form = { ...defaultForm(now), strategyId: 3, brokerId: 5, symbol: ' btc/usdt ', feePct: '0.075' }
    expect(form.startDate).toBe('2025-02-08')
    expect(form.endDate).toBe('2025-03-09')
    expect(formErrors(form, now)).toEqual({})
    expect(buildPayload(form)).toEqual({ strategy: 3, broker: 5, symbol: 'BTC/USDT', timeframe: '15m', start_date: '2025-02-08',
      end_date: '2025-03-09', initial_amount: '10000', fee_rate: '0.00075' })
    const bad = formErrors({ ...form, strategyId: null, endDate: '2025-01-01', initialAmount: '0', feePct: '' }, now)
    expect(bad).toEqual({ strategyId: 'Choisissez une stratégie.', endDate: 'La fin doit suivre le début.',
      initialAmount: 'Montant strictement positif attendu.', feePct: 'Frais entre 0 et 10 %.' })
  })

  it('fait avancer les barres sans recul puis fige l’état final', () => {
    let state = progressFromBacktest({ id: 7, status: 'pending', download_progress: 0, progress: 0 })
    const progress = (extra) => ({ type: 'backtest.progress', backtest_id: 7, status: 'downloading', phase: 'download', download_progress: 0, compute_progress: 0, ...extra })
    state = applyProgressMessage(state, progress({ download_progress: 40, message: '400 / 1 000 bougies' }))
    expect([state.phase, state.download, state.message]).toEqual(['download', 40, '400 / 1 000 bougies'])
    state = applyProgressMessage(state, progress({ download_progress: 30 }))
    expect(state.download).toBe(40)
    state = applyProgressMessage(state, progress({ status: 'running', phase: 'compute', download_progress: 100, compute_progress: 55 }))
    expect([state.status, state.phase, state.download, state.compute]).toEqual(['running', 'compute', 100, 55])
    expect(applyProgressMessage(state, { ...progress(), backtest_id: 8 })).toBe(state)
    state = applyProgressMessage(state, { type: 'backtest.done', backtest_id: 7, summary: {} })
    expect([state.status, state.compute]).toEqual(['done', 100])
    expect(applyProgressMessage(state, progress({ download_progress: 5 }))).toBe(state)
    const failed = applyProgressMessage(progressFromBacktest({ id: 7, status: 'running', download_progress: 100, progress: 3 }),
      { type: 'backtest.error', backtest_id: 7, message: 'Erreur ligne 4' })
    expect([failed.status, failed.error]).toEqual(['error', 'Erreur ligne 4'])
  })

  it('affiche la fin exclusive comme le dernier jour inclus', () => {
    expect(inclusiveEnd('2025-03-10T00:00:00Z').toISOString()).toBe('2025-03-09T23:59:59.999Z')
    expect(inclusiveEnd('2025-03-10T13:05:00Z').toISOString()).toBe('2025-03-10T13:05:00.000Z')
  })
})
