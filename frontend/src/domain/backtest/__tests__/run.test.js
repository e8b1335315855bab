import { describe, expect, it } from 'vitest'
import { applyProgressMessage, buildPayload, defaultForm, formErrors, inclusiveEnd, progressFromBacktest } from '../run.js'

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
