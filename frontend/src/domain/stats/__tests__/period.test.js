import { afterEach, describe, expect, it, vi } from 'vitest'
import { addDays, balanceInterval, daysBetween, historyInterval, isoDay, periodRange, statsQuery, zoneName } from '../period.js'

// Fuseau de test : Europe/Paris (vitest.config.js). 23:30 UTC le 31 = 00:30 le 1er à Paris.
const NOW = new Date('2026-01-31T23:30:00Z')

describe('période des statistiques', () => {
  afterEach(() => vi.restoreAllMocks())

  it('jour calendaire selon le fuseau d’affichage', () => {
    expect(isoDay(NOW, 'UTC')).toBe('2026-01-31')
    expect(isoDay(NOW, 'local')).toBe('2026-02-01')
    expect(isoDay('pas une date')).toBeNull()
  })

  it('arithmétique de dates (mois, années, bissextile)', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01')
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31')
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29')
    expect(daysBetween('2026-01-01', '2026-01-07')).toBe(7)
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(3) // passage à l'heure d'été sans effet
  })

  it('préréglages : N jours, aujourd’hui compris, dans le fuseau', () => {
    expect(periodRange('7d', { now: NOW, timezone: 'UTC' })).toEqual({ start: '2026-01-25', end: null, days: 7 })
    expect(periodRange('7d', { now: NOW, timezone: 'local' })).toEqual({ start: '2026-01-26', end: null, days: 7 })
    expect(periodRange('30d', { now: NOW })).toEqual({ start: '2026-01-02', end: null, days: 30 })
    expect(periodRange('90d', { now: NOW }).start).toBe('2025-11-03')
    expect(periodRange('all', { now: NOW })).toEqual({ start: null, end: null, days: null })
  })

  it('dates choisies : bornes incluses, ordre vérifié', () => {
    expect(periodRange('custom', { now: NOW, customStart: '2026-01-10', customEnd: '2026-01-12' })).toEqual({
      start: '2026-01-10', end: '2026-01-12', days: 3,
    })
    expect(periodRange('custom', { now: NOW, customStart: '2026-01-29' })).toEqual({ start: '2026-01-29', end: null, days: 3 })
    expect(periodRange('custom', { now: NOW })).toEqual({ start: null, end: null, days: null })
    expect(periodRange('custom', { customStart: '2026-01-12', customEnd: '2026-01-10' }).error).toBe(
      'La date de début doit précéder la date de fin.',
    )
    expect(periodRange('custom', { customStart: '12/01/2026' }).error).toMatch(/^Date de début invalide/)
  })

  it('intervalle de la courbe : horaire jusqu’à 7 jours', () => {
    expect(historyInterval({ days: 7 })).toBe('hour')
    expect(historyInterval({ days: 8 })).toBe('day')
    expect(historyInterval({ days: null })).toBe('day')
  })

  it('paramètres de l’API (broker « Tous » omis, fuseau IANA)', () => {
    vi.spyOn(Intl, 'DateTimeFormat').mockReturnValue({ resolvedOptions: () => ({ timeZone: 'Europe/Paris' }) })
    expect(zoneName('UTC')).toBe('UTC')
    expect(zoneName('local')).toBe('Europe/Paris')
    const utc = statsQuery({ broker: '', preset: '7d' }, { now: NOW, displayTimezone: 'UTC' })
    expect(utc).toEqual({
      query: { broker: undefined, start: '2026-01-25', end: undefined, tz: 'UTC' },
      range: { start: '2026-01-25', end: null, days: 7 },
      interval: 'hour',
      balanceInterval: 'hour',
      error: null,
    })
    const local = statsQuery({ broker: '3', preset: 'custom', customStart: '2026-01-01', customEnd: '2026-01-31' }, { now: NOW, displayTimezone: 'local' })
    expect(local.query).toEqual({ broker: '3', start: '2026-01-01', end: '2026-01-31', tz: 'Europe/Paris' })
    expect(local.interval).toBe('day')
    expect(local.balanceInterval).toBe('hour') // 31 jours : un relevé par heure
  })

  it('évolution du solde : horaire jusqu’à 31 jours, journalière au-delà ou sans début', () => {
    expect(balanceInterval({ days: 30 })).toBe('hour')
    expect(balanceInterval({ days: 31 })).toBe('hour')
    expect(balanceInterval({ days: 90 })).toBe('day')
    expect(balanceInterval({ days: null })).toBe('day')
  })
})
