import { describe, expect, it } from 'vitest'
import { candleData, drawdownData, levelSeries, returnData, snapTime, toSeconds, tradeMarkers } from '../chart.js'

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
