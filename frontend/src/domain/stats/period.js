/**
 * Période des statistiques : préréglages (7 j, 30 j, 90 j, tout) ou dates choisies, traduits en
 * paramètres de l'API (`start`/`end` en dates seules, interprétées dans le fuseau `tz`).
 */
import { dateParts, toDate } from '../../utils/format.js'

export const PERIOD_PRESETS = Object.freeze([
  { value: '7d', label: '7 j', days: 7 },
  { value: '30d', label: '30 j', days: 30 },
  { value: '90d', label: '90 j', days: 90 },
  { value: 'all', label: 'Tout', days: null },
  { value: 'custom', label: 'Dates', days: null },
])

export const DEFAULT_PRESET = '30d'

/** Au-delà de cette durée (jours), la courbe est journalière ; en deçà, horaire. */
export const HOURLY_MAX_DAYS = 7

/** Solde (un relevé par heure) : horaire jusqu'à un mois (≤ 744 points), journalier au-delà. */
export const BALANCE_HOURLY_MAX_DAYS = 31

const DAY_MS = 86_400_000
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/
const pad = (n) => String(n).padStart(2, '0')

/** Fuseau IANA envoyé à l'API : `UTC`, ou celui du navigateur pour l'affichage « local ». */
export function zoneName(displayTimezone) {
  if (displayTimezone !== 'local') return 'UTC'
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

/** « AAAA-MM-JJ » du jour de `value` dans le fuseau d'affichage (`UTC` | `local`). */
export function isoDay(value, timezone = 'UTC') {
  const date = toDate(value)
  if (!date) return null
  const p = dateParts(date, timezone)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`
}

/** Ajoute `n` jours (calendaires) à une date « AAAA-MM-JJ ». */
export function addDays(day, n) {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + n)
  return date.toISOString().slice(0, 10)
}

/** Nombre de jours couverts par [start, end] (dates incluses). */
export function daysBetween(start, end) {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1
}

/**
 * Bornes de la période.
 * @returns {{start: string|null, end: string|null, days: number|null, error?: string}}
 *   dates « AAAA-MM-JJ » (fin incluse) ; `days` = durée, null si non bornée.
 */
export function periodRange(preset, { now = new Date(), timezone = 'UTC', customStart = '', customEnd = '' } = {}) {
  const today = isoDay(now, timezone)
  if (preset === 'custom') {
    const start = customStart || null
    const end = customEnd || null
    for (const [value, label] of [[start, 'début'], [end, 'fin']]) {
      if (value && !ISO_DAY.test(value)) return { start, end, days: null, error: `Date de ${label} invalide : ${value}.` }
    }
    if (start && end && start > end) {
      return { start, end, days: null, error: 'La date de début doit précéder la date de fin.' }
    }
    return { start, end, days: start ? daysBetween(start, end ?? today) : null }
  }
  const found = PERIOD_PRESETS.find((p) => p.value === preset)
  if (!found?.days) return { start: null, end: null, days: null }
  return { start: addDays(today, -(found.days - 1)), end: null, days: found.days }
}

/** Intervalle de la courbe : horaire pour les courtes périodes, journalier sinon. */
export function historyInterval(range) {
  return range.days !== null && range.days <= HOURLY_MAX_DAYS ? 'hour' : 'day'
}

/** Intervalle de l'évolution du solde : dernier relevé de chaque heure, ou de chaque jour au-delà d'un mois. */
export function balanceInterval(range) {
  return range.days !== null && range.days <= BALANCE_HOURLY_MAX_DAYS ? 'hour' : 'day'
}

/**
 * Paramètres communs des appels `/api/stats/…`.
 * @param {{broker?: string|number, preset: string, customStart?: string, customEnd?: string}} filters
 */
export function statsQuery(filters, { now = new Date(), displayTimezone = 'UTC' } = {}) {
  const range = periodRange(filters.preset, {
    now,
    timezone: displayTimezone,
    customStart: filters.customStart,
    customEnd: filters.customEnd,
  })
  const query = { broker: filters.broker || undefined, start: range.start ?? undefined, end: range.end ?? undefined, tz: zoneName(displayTimezone) }
  return {
    query,
    range,
    interval: historyInterval(range),
    balanceInterval: balanceInterval(range),
    error: range.error ?? null,
  }
}
