/**
 * Trading BOT : formulaire d'activation (stratégie × broker × symbole × période), logique pure
 * (testée). Les dates sont saisies dans des `<input type="datetime-local">` interprétés dans le
 * fuseau d'affichage de l'utilisateur (`'UTC'` ou `'local'`, conversions de `utils/dateInput.js`)
 * puis envoyées en ISO-8601 UTC (les instants exacts).
 *
 * Formulaire : `{strategy: number|null, broker: number|null, symbol: string, start: string,
 * end: string, isActive: boolean}` (`start`/`end` au format `AAAA-MM-JJTHH:MM`).
 */

import {
  addDaysToDateTimeInput,
  dateTimeInputError,
  fromDateTimeInput,
  toDateTimeInput,
} from '../../utils/dateInput.js'

export const DEFAULT_DURATION_DAYS = 30
export const DURATION_PRESETS = Object.freeze([1, 7, 30, 90])

/** Date → « AAAA-MM-JJTHH:MM » dans le fuseau demandé (secondes tronquées). */
export const toInputValue = toDateTimeInput

/** « AAAA-MM-JJTHH:MM » saisi dans le fuseau demandé → Date (null si vide, invalide ou inexistante). */
export const fromInputValue = fromDateTimeInput

/**
 * Fin = début + `days` jours, même heure murale (préréglages de durée : 12:00 reste 12:00 après un
 * changement d'heure) ; si cette heure n'existe pas ce jour-là (heure sautée), `days` × 24 h.
 * '' si le début est invalide.
 */
export function endAfter(startText, days, timezone = 'UTC') {
  const start = fromInputValue(startText, timezone)
  if (!start) return ''
  const end = addDaysToDateTimeInput(startText, days)
  return fromInputValue(end, timezone) ? end : toInputValue(new Date(start.getTime() + days * 86_400_000), timezone)
}

/** Formulaire neuf : début maintenant, fin dans 30 jours, active ; stratégie et broker pré-choisis. */
export function defaultActivationForm({ now = Date.now(), timezone = 'UTC', strategy = null, broker = null } = {}) {
  const start = toInputValue(new Date(now), timezone)
  return { strategy, broker, symbol: '', start, end: endAfter(start, DEFAULT_DURATION_DAYS, timezone), isActive: true }
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
  if (!start) errors.start = dateTimeInputError(form.start, timezone, 'Date de début')
  if (!end) errors.end = dateTimeInputError(form.end, timezone, 'Date de fin')
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
