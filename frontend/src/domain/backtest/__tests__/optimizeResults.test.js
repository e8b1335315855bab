import { describe, expect, it } from 'vitest'
import {
  degraded,
  heatColor,
  heatmapMatrix,
  METRICS,
  metricInfo,
  metricSeries,
  overfitWarning,
  paramKey,
  runRows,
  sampleComparison,
  scalePosition,
  sortRuns,
  strategyChangedWarning,
} from '../optimizeResults.js'

const BACKEND_METRICS = [
  'final_amount', 'total_pnl', 'total_pnl_pct', 'total_return', 'total_trades', 'winning_trades', 'losing_trades', 'win_rate',
  'biggest_win', 'biggest_loss', 'max_drawdown', 'max_drawdown_pct', 'sharpe_ratio', 'sortino_ratio', 'profit_factor',
  'expectancy', 'expectancy_pct', 'exposure_pct', 'fees_paid', 'avg_trade_candles', 'buy_and_hold_pct', 'vs_buy_and_hold_pct',
]
const ok = (fast, slow, sharpe, extra = {}) => ({ params: { fast, slow }, stats: { sharpe_ratio: sharpe, total_pnl_pct: sharpe * 10, max_drawdown_pct: 5, ...extra }, lookahead_detected: false, errors_count: 0, message: '' })
const RESULT = {
  metric: 'sharpe_ratio',
  grid: { fast: [5, 10], slow: [20, 30] },
  runs: [
    ok(5, 20, 0.5),
    ok(5, 30, null),
    { params: { fast: 10, slow: 20 }, error: 'La stratégie a levé une exception' },
    { ...ok(10, 30, 9), lookahead_detected: true },
  ],
  best: { params: { fast: 5, slow: 20 }, stats: { sharpe_ratio: 0.5 }, value: 0.5 },
}

describe('optimizeResults', () => {
  it('liste les métriques du backend, libellés français et sens favorable', () => {
    expect(METRICS.map((m) => m.key)).toEqual(BACKEND_METRICS)
    expect(metricInfo('sharpe_ratio')).toMatchObject({ label: 'Sharpe', better: 'higher' })
    expect(metricInfo('max_drawdown_pct').better).toBe('lower')
    expect(metricInfo('total_return').alias).toBe('total_pnl_pct')
  })

  it('lignes du tableau : paramètres, métriques (vides si erreur ou anticipation), meilleur, drapeaux', () => {
    const rows = runRows(RESULT)
    expect(rows[0]).toMatchObject({ [paramKey('fast')]: 5, sharpe_ratio: 0.5, total_return: 5, best: true, flag: '' })
    expect(rows[2]).toMatchObject({ sharpe_ratio: null, flag: 'error', note: 'La stratégie a levé une exception', best: false })
    expect(rows[3]).toMatchObject({ sharpe_ratio: null, flag: 'lookahead' })
  })

  it('trie par n’importe quelle métrique, runs sans valeur en bas dans les deux sens', () => {
    const rows = runRows({ ...RESULT, runs: [...RESULT.runs, ok(10, 30, 2)] })
    expect(sortRuns(rows, 'sharpe_ratio', 'desc').map((r) => r.index)).toEqual([5, 1, 2, 3, 4])
    expect(sortRuns(rows, 'sharpe_ratio', 'asc').map((r) => r.index)).toEqual([1, 5, 2, 3, 4])
    expect(sortRuns(rows, paramKey('slow'), 'asc').map((r) => r.index)).toEqual([1, 3, 2, 4, 5])
  })

  it('carte de chaleur : meilleure valeur sur les autres paramètres, cases vides sans run retenable', () => {
    const result = {
      grid: { fast: [5, 10], slow: [20, 30], stop: [1, 2] },
      runs: [
        { params: { fast: 5, slow: 20, stop: 1 }, stats: { sharpe_ratio: 1 } },
        { params: { fast: 5, slow: 20, stop: 2 }, stats: { sharpe_ratio: 3 } },
        { params: { fast: 10, slow: 20, stop: 1 }, stats: { sharpe_ratio: -1, max_drawdown_pct: 4 } },
        { params: { fast: 10, slow: 20, stop: 2 }, stats: { sharpe_ratio: -2, max_drawdown_pct: 2 } },
        { params: { fast: 5, slow: 30, stop: 1 }, error: 'x' },
      ],
    }
    const m = heatmapMatrix(result, 'fast', 'slow', 'sharpe_ratio')
    expect([m.xs, m.ys]).toEqual([[5, 10], [20, 30]])
    expect(m.cells.map((line) => line.map((c) => c.value))).toEqual([[3, -1], [null, null]])
    expect(m.cells[0][0].params).toEqual({ fast: 5, slow: 20, stop: 2 })
    expect(m.cells[1][0].runs).toBe(1)
    expect([m.min, m.max]).toEqual([-1, 3])
    // « moins » est mieux : le plus petit drawdown
    expect(heatmapMatrix(result, 'fast', 'slow', 'max_drawdown_pct').cells[0][1].value).toBe(2)
    expect(metricSeries(result, 'stop', 'sharpe_ratio').points.map((p) => [p.x, p.value])).toEqual([[1, 1], [2, 3]])
  })

  it('échelle de couleurs : 0 = mauvais, 1 = bon, inversée si « moins » est mieux', () => {
    expect(scalePosition(3, -1, 3)).toBe(1)
    expect(scalePosition(-1, -1, 3)).toBe(0)
    expect(scalePosition(2, 2, 2)).toBe(1)
    expect(scalePosition(4, 2, 4, 'lower')).toBe(0)
    expect(scalePosition(null, 0, 1)).toBeNull()
    expect(heatColor(0.25)).toBe('color-mix(in srgb, var(--color-profit) 25%, var(--color-loss))')
    expect(heatColor(null)).toBe('var(--color-surface-hover)')
  })

  it('hors échantillon : côte à côte, avertissement quand la métrique s’effondre', () => {
    const best = { params: { fast: 5 }, stats: { sharpe_ratio: 2, total_pnl_pct: 12 }, test_stats: { sharpe_ratio: 0.4, total_pnl_pct: -3 } }
    const rows = sampleComparison(best, 'sharpe_ratio')
    expect(rows[0]).toMatchObject({ key: 'sharpe_ratio', train: '2,00', test: '0,40', worse: true })
    expect(rows.find((r) => r.key === 'total_pnl_pct')).toMatchObject({ train: '+12,00 %', test: '−3,00 %', worse: true })
    expect(overfitWarning(best, 'sharpe_ratio')).toMatch(/Sharpe tombe de 2,00 à 0,40/)
    expect(overfitWarning({ ...best, test_stats: { sharpe_ratio: 1.8 } }, 'sharpe_ratio')).toBe('')
    expect(overfitWarning({ stats: { sharpe_ratio: 2 } }, 'sharpe_ratio')).toBe('')
    expect(sampleComparison({ stats: { sharpe_ratio: 1 } }, 'sharpe_ratio')[0].test).toBeNull()
    expect(degraded('lower', 5, 12)).toBe(true)
    expect(degraded('lower', 5, 6)).toBe(false)
    expect(degraded('higher', -1, -3)).toBe(true)
  })
})

describe('strategyChangedWarning', () => {
  const optimization = { created_at: '2026-12-04T21:00:00Z' }
  it('prévient si la stratégie a été enregistrée après le lancement', () => {
    expect(strategyChangedWarning({ updated_at: '2026-12-04T21:05:00Z' }, optimization)).toMatch(/modifiée depuis cette optimisation/)
  })
  it('ne dit rien si elle est antérieure, inconnue ou supprimée', () => {
    expect(strategyChangedWarning({ updated_at: '2026-12-04T20:59:00Z' }, optimization)).toBe('')
    expect(strategyChangedWarning({ updated_at: '2026-12-04T21:00:00Z' }, optimization)).toBe('')
    expect(strategyChangedWarning(undefined, optimization)).toBe('')
    expect(strategyChangedWarning({ updated_at: 'n/a' }, optimization)).toBe('')
  })
})
