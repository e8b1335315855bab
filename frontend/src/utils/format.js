/**
 * Formatage des dates et nombres pour l'affichage.
 * Le backend ne parle qu'en UTC (ISO-8601 ou millisecondes) ; l'affichage suit la préférence
 * `display_timezone` de l'utilisateur : `'UTC'` ou `'local'` (fuseau du navigateur).
 */

export const EMPTY = '—'

const pad = (n, width = 2) => String(n).padStart(width, '0')

/** Date | ISO-8601 | millisecondes → Date valide, sinon null. */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return null
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/** Composantes de la date dans le fuseau demandé. */
export function dateParts(date, timezone = 'UTC') {
  const utc = timezone !== 'local'
  return {
    year: utc ? date.getUTCFullYear() : date.getFullYear(),
    month: (utc ? date.getUTCMonth() : date.getMonth()) + 1,
    day: utc ? date.getUTCDate() : date.getDate(),
    hours: utc ? date.getUTCHours() : date.getHours(),
    minutes: utc ? date.getUTCMinutes() : date.getMinutes(),
    seconds: utc ? date.getUTCSeconds() : date.getSeconds(),
  }
}

/** « 2025-03-14 09:26:53 UTC » (ou sans suffixe en heure locale). */
export function formatDateTime(value, timezone = 'UTC', { seconds = true, suffix = true } = {}) {
  const date = toDate(value)
  if (!date) return EMPTY
  const p = dateParts(date, timezone)
  const time = `${pad(p.hours)}:${pad(p.minutes)}${seconds ? `:${pad(p.seconds)}` : ''}`
  const tail = suffix && timezone !== 'local' ? ' UTC' : ''
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${time}${tail}`
}

/** « 2025-03-14 » */
export function formatDate(value, timezone = 'UTC') {
  const date = toDate(value)
  if (!date) return EMPTY
  const p = dateParts(date, timezone)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`
}

/** « 09:26:53 » */
export function formatTime(value, timezone = 'UTC', { seconds = true } = {}) {
  const date = toDate(value)
  if (!date) return EMPTY
  const p = dateParts(date, timezone)
  return `${pad(p.hours)}:${pad(p.minutes)}${seconds ? `:${pad(p.seconds)}` : ''}`
}

/** Horodatage des signaux Heartbeat (spec §4.1) : « AA.MM.JJ_HH:MM », ex. « 25.03.14_09:25 ». */
export function formatHeartbeatStamp(value, timezone = 'UTC') {
  const date = toDate(value)
  if (!date) return EMPTY
  const p = dateParts(date, timezone)
  return `${pad(p.year % 100)}.${pad(p.month)}.${pad(p.day)}_${pad(p.hours)}:${pad(p.minutes)}`
}

/** Nombre au format français (« 12 345,68 »). */
export function formatNumber(value, { decimals = 2, minDecimals } = {}) {
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isFinite(n)) return EMPTY
  return new Intl.NumberFormat('fr-FR', {
    minimumFractionDigits: minDecimals ?? decimals,
    maximumFractionDigits: decimals,
  }).format(n)
}

/** Pourcentage signé (« +2,50 % ») à partir d'une fraction (0.025). */
export function formatPercent(fraction, { decimals = 2, signed = true } = {}) {
  const n = typeof fraction === 'string' ? Number(fraction) : fraction
  if (typeof n !== 'number' || !Number.isFinite(n)) return EMPTY
  const text = `${formatNumber(Math.abs(n) * 100, { decimals })} %`
  if (!signed || n === 0) return n < 0 ? `-${text}` : text
  return `${n > 0 ? '+' : '-'}${text}`
}
