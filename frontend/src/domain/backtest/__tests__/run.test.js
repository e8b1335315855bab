import { describe, expect, it } from 'vitest'
import { applyProgressMessage, buildPayload, defaultForm, formErrors, periodDays, periodLabel, presetPeriod, progressFromBacktest } from '../run.js'

describe('formulaire et progression', () => {
  it('valide le formulaire en français et construit le corps de l’API', () => {
    const now = new Date('2025-03-10T12:00:00Z')
    const form = { ...defaultForm(now), strategyId: 3, brokerId: 5, symbol: ' btc/usdt ', feePct: '0.075' }
    expect(form.startDate).toBe('2025-02-08')
    expect(form.endDate).toBe('2025-03-09')
    expect(formErrors(form, now)).toEqual({})
    // Jours UTC → instants exacts : début de la première journée, fin (exclusive) de la dernière.
    expect(buildPayload(form)).toEqual({ strategy: 3, broker: 5, symbol: 'BTC/USDT', timeframe: '15m', start_date: '2025-02-08T00:00:00.000Z',
      end_date: '2025-03-10T00:00:00.000Z', initial_amount: '10000', fee_rate: '0.00075' })
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
    expect(periodLabel({ start_date: '2025-03-01T00:00:00Z', end_date: '2025-03-10T00:00:00Z' })).toBe('2025-03-01 → 2025-03-09')
  })
})

// Les tests tournent en TZ=Europe/Paris (vitest.config.js).
describe('jours du backtest dans le fuseau de l’utilisateur (Mon Compte)', () => {
  const base = { strategyId: 3, brokerId: 5, symbol: 'BTC/USDT', timeframe: '15m', initialAmount: '10000', feePct: '0.1' }

  it('heure locale : les jours saisis sont ceux de Paris, l’API reçoit les instants UTC exacts', () => {
    const payload = buildPayload({ ...base, startDate: '2025-03-01', endDate: '2025-03-09' }, { timezone: 'local' })
    expect([payload.start_date, payload.end_date]).toEqual(['2025-02-28T23:00:00.000Z', '2025-03-09T23:00:00.000Z'])
  })

  it('heure locale, passage à l’heure d’été : la dernière journée (29 mars) fait 23 h', () => {
    const payload = buildPayload({ ...base, startDate: '2026-03-29', endDate: '2026-03-29' }, { timezone: 'local' })
    expect([payload.start_date, payload.end_date]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'])
    const utc = buildPayload({ ...base, startDate: '2026-03-29', endDate: '2026-03-29' }, { timezone: 'UTC' })
    expect([utc.start_date, utc.end_date]).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-30T00:00:00.000Z'])
  })

  it('« hier » et « aujourd’hui » sont ceux du fuseau : à 23:30 UTC, Paris est déjà le lendemain', () => {
    const now = new Date('2025-03-10T23:30:00Z')
    expect(presetPeriod(2, now, 'UTC')).toEqual({ startDate: '2025-03-08', endDate: '2025-03-09' })
    expect(presetPeriod(2, now, 'local')).toEqual({ startDate: '2025-03-09', endDate: '2025-03-10' })
    expect(defaultForm(now, 'local').endDate).toBe('2025-03-10')
    const form = { ...base, startDate: '2025-03-11', endDate: '2025-03-11' }
    expect(formErrors(form, now, 'UTC').startDate).toBe('La période doit être passée.')
    expect(formErrors(form, now, 'local')).toEqual({})
  })

  it('période affichée et reprise dans le fuseau (fin exclusive de l’API → dernier jour inclus)', () => {
    const row = { start_date: '2025-02-28T23:00:00Z', end_date: '2025-03-09T23:00:00Z' }
    expect(periodDays(row, 'local')).toEqual({ startDate: '2025-03-01', endDate: '2025-03-09' })
    expect(periodDays(row, 'UTC')).toEqual({ startDate: '2025-02-28', endDate: '2025-03-09' })
    expect(periodLabel({ start_date: '2026-03-28T23:00:00Z', end_date: '2026-03-29T22:00:00Z' }, 'local')).toBe('2026-03-29 → 2026-03-29')
    expect(periodDays({}, 'UTC')).toEqual({ startDate: '', endDate: '' })
  })
})
