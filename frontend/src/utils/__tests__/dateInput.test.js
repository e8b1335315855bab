import { describe, expect, it } from 'vitest'
import {
  addDaysToDateTimeInput,
  addDaysToDayInput,
  dateTimeInputError,
  dayEndExclusive,
  dayStart,
  fromDateTimeInput,
  isDayInput,
  parseDateTimeInput,
  toDateTimeInput,
  toDayInput,
  zoneLabel,
} from '../dateInput.js'

// Les tests tournent en TZ=Europe/Paris (vitest.config.js) : « heure locale » = UTC+1 l'hiver,
// UTC+2 l'été ; passage à l'heure d'été le 29 mars 2026 (2:00 → 3:00), retour le 25 octobre 2026
// (3:00 → 2:00).
const iso = (date) => date?.toISOString() ?? null

describe('champs date-heure : UTC ou heure locale', () => {
  it('libellé du fuseau des champs', () => {
    expect(zoneLabel('UTC')).toBe('UTC')
    expect(zoneLabel('local')).toBe('heure locale')
  })

  it('UTC : la saisie est l’heure UTC, l’API reçoit le même instant', () => {
    expect(iso(fromDateTimeInput('2026-03-10T12:34', 'UTC'))).toBe('2026-03-10T12:34:00.000Z')
    expect(toDateTimeInput('2026-03-10T12:34:56Z', 'UTC')).toBe('2026-03-10T12:34')
  })

  it('heure locale : la saisie est l’heure de Paris, l’API reçoit l’instant UTC correspondant', () => {
    expect(iso(fromDateTimeInput('2026-03-10T13:34', 'local'))).toBe('2026-03-10T12:34:00.000Z') // hiver, UTC+1
    expect(iso(fromDateTimeInput('2026-07-01T14:00', 'local'))).toBe('2026-07-01T12:00:00.000Z') // été, UTC+2
    expect(toDateTimeInput('2026-07-01T12:00:00Z', 'local')).toBe('2026-07-01T14:00')
  })

  it('passage à l’heure d’été : une heure sautée (2:30) est refusée en heure locale, acceptée en UTC', () => {
    expect(parseDateTimeInput('2026-03-29T02:30', 'local')).toEqual({ date: null, error: 'dst_gap' })
    expect(dateTimeInputError('2026-03-29T02:30', 'local', 'Date de début')).toBe(
      'Date de début inexistante en heure locale (passage à l’heure d’été) : choisissez une autre heure.',
    )
    expect(iso(fromDateTimeInput('2026-03-29T01:59', 'local'))).toBe('2026-03-29T00:59:00.000Z')
    expect(iso(fromDateTimeInput('2026-03-29T03:00', 'local'))).toBe('2026-03-29T01:00:00.000Z')
    expect(iso(fromDateTimeInput('2026-03-29T02:30', 'UTC'))).toBe('2026-03-29T02:30:00.000Z')
  })

  it('retour à l’heure d’hiver : une heure doublée (2:30) désigne sa première occurrence (heure d’été)', () => {
    expect(iso(fromDateTimeInput('2026-10-25T02:30', 'local'))).toBe('2026-10-25T00:30:00.000Z')
    expect(toDateTimeInput('2026-10-25T00:30:00Z', 'local')).toBe('2026-10-25T02:30')
    expect(toDateTimeInput('2026-10-25T01:30:00Z', 'local')).toBe('2026-10-25T02:30') // seconde occurrence, même affichage
  })

  it('refuse le vide, le texte et les dates impossibles', () => {
    for (const text of ['', 'demain', '2026-02-31T10:00', '2026-13-01T10:00', '2026-03-10T24:00']) {
      expect(parseDateTimeInput(text, 'local').error).toBe('invalid')
    }
    expect(dateTimeInputError('x', 'UTC', 'Date de fin')).toBe('Date de fin invalide.')
    expect(dateTimeInputError('2026-03-10T12:00', 'UTC', 'Date de fin')).toBe('')
  })

  it('+ n jours à la même heure murale, même au travers d’un changement d’heure', () => {
    expect(addDaysToDateTimeInput('2026-03-25T12:00', 7)).toBe('2026-04-01T12:00')
    expect(addDaysToDateTimeInput('2026-12-31T23:59', 1)).toBe('2027-01-01T23:59')
    expect(addDaysToDateTimeInput('x', 1)).toBe('')
  })
})

describe('champs date (journées) : UTC ou heure locale', () => {
  it('UTC : journée de minuit à minuit UTC', () => {
    expect(iso(dayStart('2026-03-10', 'UTC'))).toBe('2026-03-10T00:00:00.000Z')
    expect(iso(dayEndExclusive('2026-03-10', 'UTC'))).toBe('2026-03-11T00:00:00.000Z')
    expect(toDayInput('2026-03-10T23:30:00Z', 'UTC')).toBe('2026-03-10')
  })

  it('heure locale : journée de minuit à minuit à Paris', () => {
    expect(iso(dayStart('2026-03-10', 'local'))).toBe('2026-03-09T23:00:00.000Z')
    expect(iso(dayEndExclusive('2026-03-10', 'local'))).toBe('2026-03-10T23:00:00.000Z')
    expect(toDayInput('2026-03-10T23:30:00Z', 'local')).toBe('2026-03-11')
  })

  it('jours de changement d’heure : 23 heures au printemps, 25 heures à l’automne (jamais 24 h fixes)', () => {
    const spring = [dayStart('2026-03-29', 'local'), dayEndExclusive('2026-03-29', 'local')]
    expect(spring.map(iso)).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'])
    expect((spring[1] - spring[0]) / 3_600_000).toBe(23)
    const autumn = [dayStart('2026-10-25', 'local'), dayEndExclusive('2026-10-25', 'local')]
    expect(autumn.map(iso)).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'])
    expect((autumn[1] - autumn[0]) / 3_600_000).toBe(25)
  })

  it('jours calendaires et validité', () => {
    expect(addDaysToDayInput('2026-03-01', -1)).toBe('2026-02-28')
    expect(addDaysToDayInput('2024-02-28', 1)).toBe('2024-02-29')
    expect(isDayInput('2026-02-29')).toBe(false)
    expect(isDayInput('2026-03-10')).toBe(true)
    expect(dayStart('hier', 'UTC')).toBeNull()
    expect(toDayInput('nope', 'UTC')).toBe('')
  })
})
