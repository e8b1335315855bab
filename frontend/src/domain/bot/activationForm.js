/**
 * Trading BOT : formulaire d'activation (stratégie × broker × symbole × période), logique pure
 * (testée). Les dates sont saisies dans des `<input type="datetime-local">` interprétés dans le
 * fuseau d'affichage de l'utilisateur (`'UTC'` ou `'local'`) puis envoyées en ISO-8601 UTC.
 *
 * Formulaire : `{strategy: number|null, broker: number|null, symbol: string, start: string,
 * end: string, isActive: boolean}` (`start`/`end` au format `AAAA-MM-JJTHH:MM`).
 */

export const DEFAULT_DURATION_DAYS = 30
export const DURATION_PRESETS = Object.freeze([1, 7, 30, 90])
const DAY_MS = 86_400_000
const INPUT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/
const pad = (n) => String(n).padStart(2, '0')

/** Date → « AAAA-MM-JJTHH:MM » dans le fuseau demandé (secondes tronquées). */
export function toInputValue(value, timezone = 'UTC') {
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) return ''
  const utc = timezone !== 'local'
  const y = utc ? date.getUTCFullYear() : date.getFullYear()
  const mo = (utc ? date.getUTCMonth() : date.getMonth()) + 1
  const d = utc ? date.getUTCDate() : date.getDate()
  const h = utc ? date.getUTCHours() : date.getHours()
  const mi = utc ? date.getUTCMinutes() : date.getMinutes()
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}`
}

/** « AAAA-MM-JJTHH:MM » saisi dans le fuseau demandé → Date (null si vide ou invalide). */
export function fromInputValue(text, timezone = 'UTC') {
  const match = INPUT_RE.exec(String(text ?? '').trim())
  if (!match) return null
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0))
  const date = timezone === 'local' ? new Date(y, mo - 1, d, h, mi, s) : new Date(Date.UTC(y, mo - 1, d, h, mi, s))
  // Refuse les dates « débordantes » (31 février…) que Date corrigerait en silence.
  return toInputValue(date, timezone).slice(0, 16) === `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}` ? date : null
}

/** Fin = début + `days` jours (préréglages de durée) ; '' si le début est invalide. */
export function endAfter(startText, days, timezone = 'UTC') {
  const start = fromInputValue(startText, timezone)
  return start ? toInputValue(new Date(start.getTime() + days * DAY_MS), timezone) : ''
}

/** Formulaire neuf : début maintenant, fin dans 30 jours, active ; stratégie et broker pré-choisis. */
export function defaultActivationForm({ now = Date.now(), timezone = 'UTC', strategy = null, broker = null } = {}) {
  return {
    strategy,
    broker,
    symbol: '',
    start: toInputValue(new Date(now), timezone),
    end: toInputValue(new Date(now + DEFAULT_DURATION_DAYS * DAY_MS), timezone),
    isActive: true,
  }
}

/**
 * Contrôles avant l'envoi (le serveur revérifie tout).
 * @returns {{valid: boolean, errors: Partial<Record<'strategy'|'broker'|'symbol'|'start'|'end', string>>}}
 */
export function validateActivationForm(form, { timezone = 'UTC', now = Date.now() } = {}) {
  const errors = {}
  if (!form.strategy) errors.strategy = 'Choisissez une stratégie.'
  if (!form.broker) errors.broker = 'Choisissez un broker.'
  const symbol = String(form.symbol ?? '').trim()
  if (!symbol) errors.symbol = 'Choisissez un symbole dans la liste.'
  else if (!/^[^/\s]+\/[^/\s]+$/.test(symbol)) errors.symbol = 'Symbole attendu au format BASE/COTATION, ex. BTC/USDT.'
  const start = fromInputValue(form.start, timezone)
  const end = fromInputValue(form.end, timezone)
  if (!start) errors.start = 'Date de début invalide.'
  if (!end) errors.end = 'Date de fin invalide.'
  else if (start && end <= start) errors.end = 'La date de fin doit être postérieure à la date de début.'
  else if (form.isActive && end.getTime() <= now) errors.end = 'La date de fin est déjà passée : la stratégie ne tournerait jamais.'
  return { valid: !Object.keys(errors).length, errors }
}

/** Corps de `POST /api/active-strategies/`. */
export function activationPayload(form, { timezone = 'UTC' } = {}) {
  return {
    strategy: form.strategy,
    broker: form.broker,
    symbol: String(form.symbol).trim().toUpperCase(),
    start_date: fromInputValue(form.start, timezone).toISOString(),
    end_date: fromInputValue(form.end, timezone).toISOString(),
    is_active: Boolean(form.isActive),
  }
}

const API_FIELDS = Object.freeze({
  strategy: 'strategy',
  broker: 'broker',
  symbol: 'symbol',
  start_date: 'start',
  end_date: 'end',
})

/**
 * Erreurs renvoyées par l'API (`ApiError`) → `{fields, message}` : erreurs par champ du formulaire
 * et message général (limite de 20 stratégies actives, erreurs sans champ…).
 */
export function activationErrors(error) {
  const fields = {}
  const rest = []
  for (const [name, messages] of Object.entries(error?.errors ?? {})) {
    const text = Array.isArray(messages) ? messages.join(' ') : String(messages)
    if (API_FIELDS[name]) fields[API_FIELDS[name]] = text
    else rest.push(text)
  }
  const hasFields = Object.keys(fields).length > 0
  const message = hasFields ? rest.join(' ') : (error?.message ?? String(error ?? ''))
  return { fields, message }
}
