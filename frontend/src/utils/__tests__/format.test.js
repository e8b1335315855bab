import { describe, expect, it } from 'vitest'
import {
  EMPTY,
  formatDate,
  formatDateTime,
  formatHeartbeatStamp,
  formatNumber,
  formatPercent,
  formatTime,
  toDate,
} from '../format.js'

// vitest.config.js fixe TZ=Europe/Paris : UTC+1 en hiver, UTC+2 en été.
const WINTER = '2025-01-15T23:30:05Z'
const SUMMER_MS = Date.UTC(2025, 6, 1, 12, 0, 0)

describe('format des dates', () => {
  it('tourne bien dans un fuseau local différent de UTC', () => {
    expect(new Date(WINTER).getTimezoneOffset()).toBe(-60)
  })

  it('affiche en UTC avec suffixe, ou en heure locale (changement de jour inclus)', () => {
    expect(formatDateTime(WINTER, 'UTC')).toBe('2025-01-15 23:30:05 UTC')
    expect(formatDateTime(WINTER, 'local')).toBe('2025-01-16 00:30:05')
    expect(formatDate(WINTER, 'UTC')).toBe('2025-01-15')
    expect(formatDate(WINTER, 'local')).toBe('2025-01-16')
  })

  it('accepte les millisecondes et respecte l’heure d’été locale', () => {
    expect(formatTime(SUMMER_MS, 'UTC')).toBe('12:00:00')
    expect(formatTime(SUMMER_MS, 'local')).toBe('14:00:00')
    expect(formatTime(SUMMER_MS, 'local', { seconds: false })).toBe('14:00')
  })

  it('formate les options sans secondes ni suffixe', () => {
    expect(formatDateTime(WINTER, 'UTC', { seconds: false, suffix: false })).toBe('2025-01-15 23:30')
  })

  it('produit l’horodatage Heartbeat AA.MM.JJ_HH:MM', () => {
    expect(formatHeartbeatStamp('2025-03-14T09:25:00Z', 'UTC')).toBe('25.03.14_09:25')
    expect(formatHeartbeatStamp('2025-03-14T09:25:00Z', 'local')).toBe('25.03.14_10:25')
  })

  it('renvoie un tiret pour une valeur absente ou invalide', () => {
    expect(formatDateTime(null)).toBe(EMPTY)
    expect(formatDateTime('pas une date')).toBe(EMPTY)
    expect(formatHeartbeatStamp(undefined)).toBe(EMPTY)
    expect(toDate('')).toBeNull()
  })
})

describe('format des nombres', () => {
  it('utilise la notation française', () => {
    expect(formatNumber(12345.678)).toBe('12\u202f345,68')
    expect(formatNumber('0.5', { decimals: 4, minDecimals: 0 })).toBe('0,5')
    expect(formatNumber(Number.NaN)).toBe(EMPTY)
  })

  it('signe les pourcentages', () => {
    expect(formatPercent(0.025)).toBe('+2,50 %')
    expect(formatPercent(-0.1, { decimals: 1 })).toBe('-10,0 %')
    expect(formatPercent(0)).toBe('0,00 %')
  })
})
