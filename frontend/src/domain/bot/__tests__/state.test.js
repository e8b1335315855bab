import { describe, expect, it } from 'vitest'
import {
  allowedActions,
  countByFilter,
  filterStrategies,
  liveTimeframes,
  needsDetail,
  STOP_DATE_MS,
  strategyState,
} from '../state.js'

const NOW = Date.parse('2026-03-10T12:00:00Z')
const item = (over = {}) => ({
  id: 1,
  timeframe: '1m',
  start_date: '2026-03-01T00:00:00Z',
  end_date: '2026-04-01T00:00:00Z',
  is_active: true,
  last_error: '',
  updated_at: '2026-03-10T11:00:00Z',
  ...over,
})
const OPEN = { status: 'open', quantity: '0.001' }

describe('strategyState', () => {
  it('active dans sa période, sans erreur', () => {
    expect(strategyState(item(), NOW)).toMatchObject({ key: 'active', label: 'Active', running: true, finished: false })
  })

  it('erreur : tourne mais la dernière exécution a laissé last_error (en infobulle)', () => {
    const state = strategyState(item({ last_error: 'Solde insuffisant' }), NOW)
    expect(state).toMatchObject({ key: 'error', label: 'Erreur', tone: 'danger', running: true, hint: 'Solde insuffisant' })
  })

  it('suspendue : is_active=false, période en cours ou à venir', () => {
    expect(strategyState(item({ is_active: false }), NOW)).toMatchObject({ key: 'suspended', label: 'Suspendue', running: false, finished: false })
    expect(strategyState(item({ is_active: false, start_date: '2026-05-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' }), NOW).key).toBe('suspended')
  })

  it('arrêtée : date de fin au 01.01.2001 (bouton Stop), quel que soit is_active', () => {
    expect(strategyState(item({ is_active: false, end_date: '2001-01-01T00:00:00Z' }), NOW)).toMatchObject({ key: 'stopped', label: 'Arrêtée', finished: true })
    expect(strategyState(item({ end_date: new Date(STOP_DATE_MS - 1000).toISOString() }), NOW).key).toBe('stopped')
  })

  it('hors période : terminée (fin passée) ou à venir (début futur)', () => {
    expect(strategyState(item({ end_date: '2026-03-09T00:00:00Z' }), NOW)).toMatchObject({ key: 'out_of_period', reason: 'ended', finished: true, running: false })
    expect(strategyState(item({ is_active: false, end_date: '2026-03-09T00:00:00Z' }), NOW).reason).toBe('ended')
    expect(strategyState(item({ start_date: '2026-03-11T00:00:00Z' }), NOW)).toMatchObject({ key: 'out_of_period', reason: 'upcoming', finished: false, running: false })
  })

  it('les bornes sont incluses (le moteur teste start ≤ now ≤ end)', () => {
    expect(strategyState(item({ start_date: new Date(NOW).toISOString() }), NOW).key).toBe('active')
    expect(strategyState(item({ end_date: new Date(NOW).toISOString() }), NOW).key).toBe('active')
  })
})

describe('allowedActions', () => {
  it('active : suspendre et stop, pas de reprise ni suppression ; vendre seulement avec une position', () => {
    expect(allowedActions(item(), NOW)).toEqual({ suspend: true, resume: false, stop: true, sell: false, delete: false, deleteBlocked: false })
    expect(allowedActions(item({ position: OPEN }), NOW).sell).toBe(true)
  })

  it('suspendue : reprendre et stop', () => {
    expect(allowedActions(item({ is_active: false }), NOW)).toMatchObject({ suspend: false, resume: true, stop: true })
  })

  it('arrêtée : supprimer (bloqué tant qu’une position est ouverte), vendre la position restante', () => {
    const stopped = item({ is_active: false, end_date: '2001-01-01T00:00:00Z' })
    expect(allowedActions(stopped, NOW)).toMatchObject({ stop: false, resume: false, suspend: false, delete: true })
    expect(allowedActions({ ...stopped, position: OPEN }, NOW)).toMatchObject({ sell: true, delete: false, deleteBlocked: true })
  })

  it('terminée : supprimer ou arrêter, pas de reprise', () => {
    expect(allowedActions(item({ end_date: '2026-03-01T06:00:00Z' }), NOW)).toMatchObject({ delete: true, stop: true, resume: false, suspend: false })
  })
})

describe('filtres, relectures et unités de temps', () => {
  const list = [
    item({ id: 1 }),
    item({ id: 2, is_active: false }),
    item({ id: 3, end_date: '2001-01-01T00:00:00Z', is_active: false }),
    item({ id: 4, timeframe: '15m', end_date: '2026-03-01T06:00:00Z' }),
    item({ id: 5, timeframe: '5m', last_error: 'x' }),
  ]

  it('en cours / arrêtées-terminées / toutes', () => {
    expect(filterStrategies(list, 'current', NOW).map((i) => i.id)).toEqual([1, 2, 5])
    expect(filterStrategies(list, 'finished', NOW).map((i) => i.id)).toEqual([3, 4])
    expect(filterStrategies(list, 'all', NOW)).toBe(list)
    expect(countByFilter(list, NOW)).toEqual({ current: 3, finished: 2, all: 5 })
  })

  it('unités de temps des stratégies qui tournent seulement', () => {
    expect([...liveTimeframes(list, NOW)].sort()).toEqual(['1m', '5m'])
  })

  it('détail relu sauf pour une stratégie terminée, inchangée et sans position', () => {
    const stopped = list[2]
    expect(needsDetail(stopped, null, NOW)).toBe(true)
    expect(needsDetail(stopped, { ...stopped, detailLoaded: true, position: null }, NOW)).toBe(false)
    expect(needsDetail(stopped, { ...stopped, detailLoaded: true, position: OPEN }, NOW)).toBe(true)
    expect(needsDetail(stopped, { ...stopped, detailLoaded: true, updated_at: 'avant' }, NOW)).toBe(true)
    expect(needsDetail(list[0], { ...list[0], detailLoaded: true }, NOW)).toBe(true)
  })
})
