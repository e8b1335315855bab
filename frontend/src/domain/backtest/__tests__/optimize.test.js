import { describe, expect, it } from 'vitest'
import {
  analyzeGrid,
  applyOptimizationMessage,
  buildOptimizationPayload,
  defaultRows,
  gridSpec,
  mergeRows,
  MODE_FIXED,
  progressFromOptimization,
  rowValues,
} from '../optimize.js'

const PARAMS = [
  { name: 'fast', type: 'int', default: 10, line: 5 },
  { name: 'slow', type: 'int', default: 20, line: 6 },
  { name: 'stop', type: 'float', default: 0.02, line: 7 },
]
const range = (name, start, stop, step, type = 'int') => ({ name, type, default: 1, mode: 'range', value: '1', start, stop, step })
const fixed = (name, value, def = 1, type = 'int') => ({ name, type, default: def, mode: MODE_FIXED, value, start: '', stop: '', step: '' })

describe('optimize : grille', () => {
  it('propose une ligne par paramètre : les deux premiers en plage autour du code, les autres fixes', () => {
    const rows = defaultRows(PARAMS)
    expect(rows.map((r) => [r.name, r.mode])).toEqual([['fast', 'range'], ['slow', 'range'], ['stop', 'fixed']])
    expect(rows[0]).toMatchObject({ start: '5', stop: '20', step: '3' })
    expect(rowValues(rows[1]).values.length).toBeGreaterThan(3)
    expect(rows[2].value).toBe('0.02')
    expect(gridSpec(rows)).toBe('fast=5:20:3,slow=10:40:5') // « stop » fixe à sa valeur du code : absent
  })

  it('garde les saisies des paramètres restés dans le code', () => {
    const edited = defaultRows(PARAMS).map((r) => (r.name === 'fast' ? { ...r, start: '3' } : r))
    const merged = mergeRows(edited, [PARAMS[0], { name: 'atr', type: 'float', default: 1.5, line: 9 }])
    expect(merged.map((r) => r.name)).toEqual(['fast', 'atr'])
    expect(merged[0].start).toBe('3')
  })

  it('compte comme le backend : bornes incluses, réels arrondis à 10 décimales', () => {
    expect(rowValues(range('fast', '5', '30', '5')).values).toEqual([5, 10, 15, 20, 25, 30])
    expect(rowValues(range('fast', '5', '29', '5')).values).toEqual([5, 10, 15, 20, 25])
    expect(rowValues(range('x', '0.1', '0.3', '0.1', 'float')).values).toEqual([0.1, 0.2, 0.3])
    expect(rowValues(range('x', '0,5', '1', '0,25', 'float')).values).toEqual([0.5, 0.75, 1])
    const a = analyzeGrid([range('fast', '5', '30', '5'), range('slow', '20', '60', '10')])
    expect([a.combinations, a.runs, a.spec, a.errors]).toEqual([30, 30, 'fast=5:30:5,slow=20:60:10', []])
    expect(analyzeGrid([range('fast', '5', '30', '5'), fixed('slow', '25', 20)]).spec).toBe('fast=5:30:5,slow=25')
  })

  it('refuse en français : pas nul, fin avant début, entier attendu, champ vide', () => {
    expect(rowValues(range('fast', '5', '30', '0')).error).toBe('« fast » : le pas doit être strictement positif.')
    expect(rowValues(range('fast', '30', '5', '1')).error).toBe('« fast » : la fin (5) précède le début (30).')
    expect(rowValues(range('fast', '5', '30', '2.5')).error).toBe('« fast » : nombre entier attendu (pas 2,5).')
    expect(rowValues(range('fast', '', '30', '1')).error).toMatch(/début manquant/)
    expect(rowValues(fixed('fast', 'abc')).error).toMatch(/valeur manquant ou non numérique/)
    expect(analyzeGrid([fixed('fast', '3')]).errors[0]).toMatch(/au moins un paramètre en « Plage »/)
    expect(analyzeGrid([]).errors[0]).toMatch(/aucun paramètre/)
  })

  it('au-delà de 10 000 combinaisons : propose « Nombre max de runs », qui tire un échantillon', () => {
    const rows = [range('a', '1', '200', '1'), range('b', '1', '100', '1')]
    const big = analyzeGrid(rows)
    expect(big.tooBig).toBe(true)
    expect(big.errors[0]).toMatch(/20\s000 combinaisons.*« Nombre max de runs »/)
    const sampled = analyzeGrid(rows, { maxRuns: '500' })
    expect([sampled.errors, sampled.combinations, sampled.runs, sampled.maxRuns]).toEqual([[], 20000, 500, 500])
    expect(analyzeGrid(rows, { maxRuns: '0' }).errors[0]).toMatch(/entier entre 1 et 10/)
    expect(analyzeGrid(rows, { maxRuns: 'x' }).errors[0]).toMatch(/nombre attendu/)
    expect(analyzeGrid([range('a', '1', '3', '1')], { testRatio: 0.9 }).errors[0]).toMatch(/hors échantillon/)
  })

  it('corps du POST : champs du formulaire Backtest + grille, métrique, max_runs, test_ratio', () => {
    const form = { strategyId: 3, brokerId: 5, symbol: 'btc/usdt', timeframe: '1h', startDate: '2026-01-01', endDate: '2026-01-31', initialAmount: '10000', feePct: '0.1' }
    const settings = { rows: [range('fast', '5', '30', '5')], metric: 'total_pnl_pct', maxRuns: '', outOfSample: true, testRatio: '0.3' }
    expect(buildOptimizationPayload(form, settings)).toEqual({
      strategy: 3, broker: 5, symbol: 'BTC/USDT', timeframe: '1h', start_date: '2026-01-01T00:00:00.000Z', end_date: '2026-02-01T00:00:00.000Z',
      initial_amount: '10000', fee_rate: '0.001', grid: 'fast=5:30:5', metric: 'total_pnl_pct', max_runs: null, test_ratio: 0.3,
    })
    expect(buildOptimizationPayload(form, { ...settings, outOfSample: false, maxRuns: '12' })).toMatchObject({ max_runs: 12, test_ratio: null })
  })
})

describe('optimize : progression', () => {
  const row = { id: 7, status: 'downloading', download_progress: 40, progress: 0, runs_done: 0, runs_total: 42, error_message: '' }

  it('lit la ligne puis les messages ; les barres ne reculent pas ; autre id ignoré', () => {
    let state = progressFromOptimization(row)
    expect(state).toMatchObject({ id: 7, phase: 'download', download: 40, runsTotal: 42 })
    state = applyOptimizationMessage(state, { type: 'optimization.progress', optimization_id: 7, status: 'running', phase: 'compute', download_progress: 100, compute_progress: 28, runs_done: 12, runs_total: 42 })
    expect(state).toMatchObject({ status: 'running', phase: 'compute', compute: 28, runsDone: 12 })
    const same = applyOptimizationMessage(state, { type: 'optimization.progress', optimization_id: 8, runs_done: 40 })
    expect(same).toBe(state)
    state = applyOptimizationMessage(state, { type: 'optimization.progress', optimization_id: 7, status: 'running', phase: 'compute', download_progress: 100, compute_progress: 10, runs_done: 5, runs_total: 42 })
    expect([state.compute, state.runsDone]).toEqual([28, 12])
    expect(applyOptimizationMessage(state, { type: 'optimization.done', optimization_id: 7, total_runs: 42 })).toMatchObject({ status: 'done', runsDone: 42, compute: 100 })
    expect(applyOptimizationMessage(state, { type: 'optimization.error', optimization_id: 7, message: 'Boum' })).toMatchObject({ status: 'error', error: 'Boum' })
    expect(applyOptimizationMessage(state, { type: 'optimization.cancelled', optimization_id: 7, phase: 'compute' }).status).toBe('cancelled')
  })

  it('ligne en erreur : message du serveur', () => {
    expect(progressFromOptimization({ ...row, status: 'error', error_message: 'Pas de bougies' }).error).toBe('Pas de bougies')
  })
})
