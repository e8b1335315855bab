/**
 * Champs de date et d'heure saisis dans le fuseau choisi par l'utilisateur (Mon Compte : `'UTC'`
 * ou `'local'`, le fuseau du navigateur), comme les dates affichées (`utils/format.js`).
 *
 * - `<input type="datetime-local">` : « AAAA-MM-JJTHH:MM » ↔ instant (`Date`) ;
 * - `<input type="date">` : « AAAA-MM-JJ » ↔ bornes de la journée dans ce fuseau (début inclus,
 *   fin exclusive = minuit du lendemain : une journée locale fait 23 ou 25 heures aux changements
 *   d'heure) ;
 * - l'API reçoit des instants exacts (`toISOString()`, UTC « Z »).
 *
 * Changements d'heure en heure locale : une heure « sautée » au printemps (2:30 le jour du passage
 * à l'heure d'été en Europe) n'existe pas et est refusée (`'dst_gap'`) ; une heure « doublée » à
 * l'automne désigne sa première occurrence (heure d'été), comme le fait `Date`.
 */

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const pad = (n) => String(n).padStart(2, '0')
const isLocal = (timezone) => timezone === 'local'

/** Libellé du fuseau des champs : « UTC » ou « heure locale » (suffixe « Début (UTC) »). */
export const zoneLabel = (timezone) => (isLocal(timezone) ? 'heure locale' : 'UTC')

function toDate(value) {
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/** Composantes « murales » (année, mois 1-12, jour, heures, minutes) de l'instant dans le fuseau. */
function wallParts(date, timezone) {
  const utc = !isLocal(timezone)
  return [
    utc ? date.getUTCFullYear() : date.getFullYear(),
    (utc ? date.getUTCMonth() : date.getMonth()) + 1,
    utc ? date.getUTCDate() : date.getDate(),
    utc ? date.getUTCHours() : date.getHours(),
    utc ? date.getUTCMinutes() : date.getMinutes(),
  ]
}

/** Instant de l'heure murale donnée dans le fuseau (sans contrôle). */
function wallToDate([y, mo, d, h = 0, mi = 0, s = 0], timezone) {
  return isLocal(timezone) ? new Date(y, mo - 1, d, h, mi, s) : new Date(Date.UTC(y, mo - 1, d, h, mi, s))
}

const formatDay = ([y, mo, d]) => `${y}-${pad(mo)}-${pad(d)}`
const formatWall = (parts) => `${formatDay(parts)}T${pad(parts[3])}:${pad(parts[4])}`

/** Instant → « AAAA-MM-JJTHH:MM » dans le fuseau (secondes tronquées) ; '' si invalide. */
export function toDateTimeInput(value, timezone = 'UTC') {
  const date = toDate(value)
  return date ? formatWall(wallParts(date, timezone)) : ''
}

/**
 * « AAAA-MM-JJTHH:MM » saisi dans le fuseau → `{date, error}` ; `error` : `''`, `'invalid'` (vide,
 * texte, 31 février…) ou `'dst_gap'` (heure sautée par le passage à l'heure d'été).
 */
export function parseDateTimeInput(text, timezone = 'UTC') {
  const match = DATETIME_RE.exec(String(text ?? '').trim())
  if (!match) return { date: null, error: 'invalid' }
  const parts = match.slice(1).map((part) => Number(part ?? 0))
  const [y, mo, d] = parts
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || parts[3] > 23 || parts[4] > 59) {
    return { date: null, error: 'invalid' }
  }
  const date = wallToDate(parts, timezone)
  // Même heure murale en retour, sinon elle n'existe pas dans ce fuseau (heure sautée).
  if (formatWall(wallParts(date, timezone)) !== formatWall(parts)) return { date: null, error: 'dst_gap' }
  return { date, error: '' }
}

/** « AAAA-MM-JJTHH:MM » saisi dans le fuseau → instant, null si invalide ou inexistant. */
export const fromDateTimeInput = (text, timezone = 'UTC') => parseDateTimeInput(text, timezone).date

/** Message d'erreur français d'un champ date-heure (`label` : « Date de début »…), '' s'il est bon. */
export function dateTimeInputError(text, timezone, label) {
  const { error } = parseDateTimeInput(text, timezone)
  if (error === 'dst_gap') return `${label} inexistante en heure locale (passage à l’heure d’été) : choisissez une autre heure.`
  return error ? `${label} invalide.` : ''
}

/** Même heure murale `days` jours (calendaires) plus tard : « 12:00 » reste « 12:00 » après un changement d'heure. */
export function addDaysToDateTimeInput(text, days) {
  const match = DATETIME_RE.exec(String(text ?? '').trim())
  if (!match) return ''
  const [y, mo, d, h, mi] = match.slice(1).map((part) => Number(part ?? 0))
  const shifted = new Date(Date.UTC(y, mo - 1, d + days, h, mi))
  return formatWall(wallParts(shifted, 'UTC'))
}

/** Instant → « AAAA-MM-JJ » de son jour dans le fuseau ; '' si invalide. */
export function toDayInput(value, timezone = 'UTC') {
  const date = toDate(value)
  return date ? formatDay(wallParts(date, timezone)) : ''
}

function parseDay(day) {
  const match = DAY_RE.exec(String(day ?? '').trim())
  if (!match) return null
  const [y, mo, d] = match.slice(1).map(Number)
  const check = new Date(Date.UTC(y, mo - 1, d))
  return check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d ? [y, mo, d] : null
}

/** Vrai si « AAAA-MM-JJ » est une vraie date du calendrier. */
export const isDayInput = (day) => parseDay(day) !== null

/** « AAAA-MM-JJ » + `days` jours calendaires. */
export function addDaysToDayInput(day, days) {
  const parts = parseDay(day)
  if (!parts) return ''
  const date = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + days))
  return formatDay(wallParts(date, 'UTC'))
}

/** Premier instant de la journée « AAAA-MM-JJ » dans le fuseau (minuit), null si invalide. */
export function dayStart(day, timezone = 'UTC') {
  const parts = parseDay(day)
  return parts ? wallToDate(parts, timezone) : null
}

/** Fin exclusive de la journée « AAAA-MM-JJ » dans le fuseau : minuit du lendemain (23 h ou 25 h plus tard aux changements d'heure). */
export function dayEndExclusive(day, timezone = 'UTC') {
  const next = addDaysToDayInput(day, 1)
  return next ? dayStart(next, timezone) : null
}
