/**
 * Lancement et suivi d'un backtest (logique pure, testée) : formulaire → corps de l'API,
 * messages WebSocket → état des deux barres de progression (téléchargement, calcul).
 */

import { addDaysToDayInput, dayEndExclusive, dayStart, isDayInput, toDayInput } from '../../utils/dateInput.js'
import { MessageType } from '../../websocket/messageTypes.js'

export const TIMEFRAMES = Object.freeze(['1m', '3m', '5m', '10m', '15m', '1h', '2h', '4h'])
export const ACTIVE_STATUSES = Object.freeze(['pending', 'downloading', 'running'])
export const STATUS_LABELS = Object.freeze({
  pending: 'En attente',
  downloading: 'Téléchargement',
  running: 'Calcul',
  done: 'Terminé',
  cancelled: 'Annulé',
  error: 'Erreur',
})

/** Types des messages de `/ws/backtest/<id>/` (noms définis dans `websocket/messageTypes.js`). */
export const BacktestMessage = Object.freeze({
  PROGRESS: MessageType.BACKTEST_PROGRESS,
  DONE: MessageType.BACKTEST_DONE,
  ERROR: MessageType.BACKTEST_ERROR,
  CANCELLED: MessageType.BACKTEST_CANCELLED,
})

export const isActive = (status) => ACTIVE_STATUSES.includes(status)

/**
 * Période de `days` jours complets finissant hier, en jours « AAAA-MM-JJ » du fuseau de
 * l'utilisateur (`'UTC'` ou `'local'`) : `{startDate, endDate}` (fin incluse).
 */
export function presetPeriod(days, now = new Date(), timezone = 'UTC') {
  const endDate = addDaysToDayInput(toDayInput(now, timezone), -1)
  return { startDate: addDaysToDayInput(endDate, -(days - 1)), endDate }
}

/** Formulaire par défaut : les 30 derniers jours complets (dans le fuseau de l'utilisateur), 10 000 USDT, frais 0,1 %. */
export function defaultForm(now = new Date(), timezone = 'UTC') {
  return {
    strategyId: null,
    brokerId: null,
    symbol: 'BTC/USDT',
    timeframe: '15m',
    ...presetPeriod(30, now, timezone),
    initialAmount: '10000',
    feePct: '0.1',
  }
}

/**
 * Erreurs du formulaire (champ → message français) ; objet vide si tout est bon. Les jours sont
 * ceux du fuseau de l'utilisateur (« aujourd'hui » compris).
 */
export function formErrors(form, now = new Date(), timezone = 'UTC') {
  const errors = {}
  if (!form.strategyId) errors.strategyId = 'Choisissez une stratégie.'
  if (!form.brokerId) errors.brokerId = 'Choisissez un broker.'
  if (!String(form.symbol ?? '').trim()) errors.symbol = 'Choisissez un symbole.'
  if (!TIMEFRAMES.includes(form.timeframe)) errors.timeframe = 'Unité de temps inconnue.'
  if (!isDayInput(form.startDate)) errors.startDate = 'Date de début invalide.'
  if (!isDayInput(form.endDate)) errors.endDate = 'Date de fin invalide.'
  else if (!errors.startDate && form.endDate < form.startDate) errors.endDate = 'La fin doit suivre le début.'
  else if (form.startDate > toDayInput(now, timezone)) errors.startDate = 'La période doit être passée.'
  const amount = Number(form.initialAmount)
  if (!(Number.isFinite(amount) && amount > 0)) errors.initialAmount = 'Montant strictement positif attendu.'
  const fee = Number(form.feePct)
  if (String(form.feePct ?? '').trim() === '' || !(Number.isFinite(fee) && fee >= 0 && fee <= 10)) {
    errors.feePct = 'Frais entre 0 et 10 %.'
  }
  return errors
}

/**
 * Corps de `POST /api/backtests/` (frais saisis en % → fraction). Les jours saisis sont ceux du
 * fuseau de l'utilisateur : l'API reçoit les instants exacts (UTC) du début de la première journée
 * et de la fin (exclusive) de la dernière.
 */
export function buildPayload(form, { timezone = 'UTC' } = {}) {
  const fee = Number(form.feePct) / 100
  return {
    strategy: Number(form.strategyId),
    broker: Number(form.brokerId),
    symbol: String(form.symbol).trim().toUpperCase(),
    timeframe: form.timeframe,
    start_date: dayStart(form.startDate, timezone).toISOString(),
    end_date: dayEndExclusive(form.endDate, timezone).toISOString(),
    initial_amount: String(form.initialAmount).trim(),
    fee_rate: fee.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''),
  }
}

const clamp = (value) => Math.min(100, Math.max(0, Number(value) || 0))

/** État de progression lu dans une ligne de l'API (rechargement de page). */
export function progressFromBacktest(backtest) {
  if (!backtest) return null
  const status = backtest.status
  return {
    id: backtest.id,
    status,
    phase: ['pending', 'downloading'].includes(status) ? 'download' : 'compute',
    download: clamp(status === 'done' ? 100 : backtest.download_progress),
    compute: clamp(status === 'done' ? 100 : backtest.progress),
    message: '',
    error: status === 'error' ? backtest.error_message : '',
  }
}

/**
 * Applique un message WebSocket à l'état (nouvel objet) : les barres ne reculent jamais, un
 * message d'un autre backtest ou arrivant après la fin est ignoré.
 */
export function applyProgressMessage(state, message) {
  if (!state || !message || message.backtest_id !== state.id) return state
  switch (message.type) {
    case BacktestMessage.PROGRESS:
      if (!isActive(state.status)) return state
      return {
        ...state,
        status: message.status ?? state.status,
        phase: message.phase ?? state.phase,
        download: Math.max(state.download, clamp(message.download_progress)),
        compute: Math.max(state.compute, clamp(message.compute_progress)),
        message: message.message ?? '',
      }
    case BacktestMessage.DONE:
      return { ...state, status: 'done', phase: 'compute', download: 100, compute: 100, message: 'Terminé' }
    case BacktestMessage.ERROR:
      return { ...state, status: 'error', error: message.message ?? 'Erreur', message: '' }
    case BacktestMessage.CANCELLED:
      return { ...state, status: 'cancelled', phase: message.phase ?? state.phase, message: 'Annulé' }
    default:
      return state
  }
}

/**
 * Jours d'un backtest dans le fuseau de l'utilisateur : `{startDate, endDate}` (« AAAA-MM-JJ », fin
 * incluse : la fin de l'API est exclusive). Sert à l'affichage « du … au … » et à « Reprendre ».
 */
export function periodDays(backtest, timezone = 'UTC') {
  const end = Date.parse(backtest?.end_date ?? '')
  return {
    startDate: toDayInput(backtest?.start_date ?? '', timezone),
    endDate: Number.isNaN(end) ? '' : toDayInput(new Date(end - 1), timezone),
  }
}

/** « 2025-03-01 → 2025-03-31 » (jours du fuseau de l'utilisateur, fin incluse). */
export function periodLabel(backtest, timezone = 'UTC') {
  const { startDate, endDate } = periodDays(backtest, timezone)
  return `${startDate || '—'} → ${endDate || '—'}`
}
