/** Formatage des montants et taux des statistiques (montants décimaux reçus en texte). */
import { EMPTY, formatNumber } from '../../utils/format.js'

const toNumber = (value) => (value === null || value === undefined || value === '' ? null : Number(value))

/** Montant (2 à 4 décimales, les frais sont souvent petits). */
export function formatAmount(value) {
  const n = toNumber(value)
  return n === null || !Number.isFinite(n) ? EMPTY : formatNumber(n, { decimals: 4, minDecimals: 2 })
}

/** P&L signé : « +12,60 », « −5,00 », « 0,00 ». */
export function formatPnl(value) {
  const n = toNumber(value)
  if (n === null || !Number.isFinite(n)) return EMPTY
  const text = formatNumber(Math.abs(n), { decimals: 2 })
  if (n > 0) return `+${text}`
  return n < 0 ? `−${text}` : text
}

/** Tonalité d'un P&L : `profit`, `loss` ou `neutral`. */
export function pnlTone(value) {
  const n = toNumber(value)
  if (!n) return 'neutral'
  return n > 0 ? 'profit' : 'loss'
}

/** Taux de réussite (fraction → « 57,1 % »), « — » sans trade clôturé. */
export function formatRate(value) {
  const n = toNumber(value)
  return n === null || !Number.isFinite(n) ? EMPTY : `${formatNumber(n * 100, { decimals: 1 })} %`
}

/** Pluriel simple : « 1 erreur », « 3 erreurs ». */
export function plural(count, singular, pluralForm = `${singular}s`) {
  return `${count} ${Math.abs(count) >= 2 ? pluralForm : singular}`
}
