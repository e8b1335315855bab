/**
 * Trading BOT : état affiché d'une stratégie active (badge), actions permises, tri et filtres.
 * Logique pure (testée) : tout dépend des champs de l'API et de l'instant `now` (ms).
 *
 * Règles (spec §4.4 et moteur §3.2 : une stratégie tourne si `is_active` ET start ≤ now ≤ end) :
 * - « Arrêtée » : date de fin au 01.01.2001 ou avant (bouton Stop) ;
 * - « Hors période » : période terminée (fin passée) ou pas encore commencée ;
 * - « Suspendue » : `is_active=false`, période non terminée ;
 * - « Erreur » : tourne, mais la dernière exécution a laissé `last_error` ;
 * - « Active » : tourne normalement.
 */

/** Date de fin posée par le bouton Stop (`01.01.01`, spec §4.4). */
export const STOP_DATE_MS = Date.UTC(2001, 0, 1)

export const BOT_STATES = Object.freeze({
  active: { label: 'Active', tone: 'success' },
  error: { label: 'Erreur', tone: 'danger' },
  suspended: { label: 'Suspendue', tone: 'warning' },
  out_of_period: { label: 'Hors période', tone: 'neutral' },
  stopped: { label: 'Arrêtée', tone: 'muted' },
})

export const STATE_FILTERS = Object.freeze([
  { value: 'all', label: 'Toutes' },
  { value: 'current', label: 'En cours' },
  { value: 'finished', label: 'Arrêtées / terminées' },
])

const ms = (value) => {
  const time = value instanceof Date ? value.getTime() : Date.parse(value ?? '')
  return Number.isNaN(time) ? null : time
}

/** Vrai si une position est ouverte (détail chargé). */
export const hasOpenPosition = (item) => item?.position?.status === 'open'

/**
 * État d'une stratégie active.
 * @returns {{key: keyof BOT_STATES, label: string, tone: string, reason: ''|'ended'|'upcoming',
 *   running: boolean, finished: boolean, hint: string}}
 */
export function strategyState(item, now = Date.now()) {
  const start = ms(item?.start_date)
  const end = ms(item?.end_date)
  let key
  let reason = ''
  if (end !== null && end <= STOP_DATE_MS) key = 'stopped'
  else if (end !== null && end < now) {
    key = 'out_of_period'
    reason = 'ended'
  } else if (!item?.is_active) key = 'suspended'
  else if (start !== null && start > now) {
    key = 'out_of_period'
    reason = 'upcoming'
  } else key = item?.last_error ? 'error' : 'active'
  const running = key === 'active' || key === 'error'
  const finished = key === 'stopped' || reason === 'ended'
  const hint = key === 'error' ? String(item.last_error) : ''
  return { key, ...BOT_STATES[key], reason, running, finished, hint }
}

/**
 * Boutons disponibles. Supprimer : seulement une stratégie arrêtée ou terminée, sans position
 * ouverte (la supprimer effacerait le suivi d'une position encore détenue sur l'exchange).
 */
export function allowedActions(item, now = Date.now()) {
  const state = strategyState(item, now)
  const position = hasOpenPosition(item)
  return {
    suspend: !state.finished && state.key !== 'suspended',
    resume: state.key === 'suspended',
    stop: state.key !== 'stopped',
    sell: position,
    delete: state.finished && !position,
    deleteBlocked: state.finished && position,
  }
}

/** Filtre de la liste : en cours (non terminées), arrêtées / terminées, toutes. */
export function filterStrategies(items, filter, now = Date.now()) {
  if (filter === 'all') return items
  const finished = filter === 'finished'
  return items.filter((item) => strategyState(item, now).finished === finished)
}

/** Nombre par filtre (libellés des segments). */
export function countByFilter(items, now = Date.now()) {
  const finished = items.filter((item) => strategyState(item, now).finished).length
  return { current: items.length - finished, finished, all: items.length }
}

/**
 * Faut-il relire le détail (position, trades) lors d'un rafraîchissement complet ? Oui sauf pour
 * une stratégie terminée, sans position ouverte, dont le détail est déjà connu : elle ne bouge
 * plus (un changement éventuel arrive par WebSocket et relit cette seule stratégie).
 */
export function needsDetail(item, previous, now = Date.now()) {
  if (!previous?.detailLoaded) return true
  if (hasOpenPosition(previous)) return true
  if (previous.updated_at !== item.updated_at) return true
  return !strategyState(item, now).finished
}

/** Unités de temps des stratégies qui tournent (un signal de ces unités déclenche une relecture). */
export function liveTimeframes(items, now = Date.now()) {
  return new Set(items.filter((item) => strategyState(item, now).running).map((item) => item.timeframe))
}
