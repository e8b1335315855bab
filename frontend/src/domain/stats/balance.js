/**
 * Évolution globale du solde (réponse de /api/stats/balance-history/) : données du graphique, point
 * survolé, légende (total et principaux actifs), résumé d'un relevé « Relever maintenant ».
 *
 * Un point dont `total_usd` est nul (un broker illisible dans l'intervalle) devient un « espace
 * blanc » de lightweight-charts (`{ time }` sans valeur) : la courbe est interrompue, jamais à zéro.
 */
import { formatNumber } from '../../utils/format.js'
import { toChartTime } from '../charts/data.js'

const toNumber = (value) => {
  if (value === null || value === undefined || value === '') return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

const pointTime = (point) => toChartTime(point?.timestamp ?? point?.time)

/** Montant en USD(T) : « 6 000,00 $ » (« — » si absent). */
export function formatUsd(value) {
  const n = toNumber(value)
  return n === null ? '—' : `${formatNumber(n, { decimals: 2 })} $`
}

/** Données de la série : `{time, value}` par point lisible, `{time}` (un trou) pour un total nul. */
export function balanceSeriesData(history) {
  const data = []
  for (const point of history?.points ?? []) {
    const time = pointTime(point)
    if (time === null) continue
    const value = toNumber(point.total_usd)
    data.push(value === null ? { time } : { time, value })
  }
  return data
}

/** Vrai s'il y a au moins un total lisible (sinon : état vide, rien à tracer). */
export function hasReadableBalance(history) {
  return (history?.points ?? []).some((p) => toNumber(p.total_usd) !== null)
}

/** Le point de cet instant (secondes Unix, comme le réticule de lightweight-charts), sinon null. */
export function balancePointAt(history, time) {
  if (time === null || time === undefined) return null
  return (history?.points ?? []).find((p) => pointTime(p) === Number(time)) ?? null
}

/** Le dernier point de la série (lisible ou non : un trou final doit se voir). */
export function latestBalancePoint(history) {
  return history?.points?.at(-1) ?? null
}

/** Variation entre le premier et le dernier total lisibles de la période, sinon null. */
export function balanceChange(history) {
  const values = (history?.points ?? []).map((p) => toNumber(p.total_usd)).filter((v) => v !== null)
  if (values.length < 2) return null
  const first = values[0]
  const last = values.at(-1)
  return { first, last, change: last - first, ratio: first ? (last - first) / first : null }
}

/**
 * Légende d'un point : instant du relevé, total (null : illisible), `top` premiers actifs valorisés
 * avec leur part du total, nombre d'actifs non détaillés, brokers illisibles (nom et raison).
 */
export function balanceLegend(point, brokers = [], { top = 3 } = {}) {
  if (!point) return null
  const names = new Map((brokers ?? []).map((b) => [b.id, b.name]))
  const total = toNumber(point.total_usd)
  const valued = (point.assets ?? []).filter((a) => toNumber(a.usd_value) !== null)
  const assets = valued.slice(0, top).map((a) => {
    const value = toNumber(a.usd_value)
    return { asset: a.asset, value, share: total ? value / total : null }
  })
  const unreadable = (point.brokers ?? [])
    .filter((b) => toNumber(b.total_usd) === null)
    .map((b) => ({ id: b.broker_id, name: names.get(b.broker_id) ?? `Broker ${b.broker_id}`, error: b.error || 'Solde illisible.' }))
  return {
    time: toChartTime(point.taken_at) ?? pointTime(point),
    total,
    assets,
    hidden: (point.assets ?? []).length - assets.length + (point.others_count ?? 0),
    unreadable,
  }
}

/** « toutes les heures », « toutes les 15 minutes », « toutes les 2 heures » ; null : relevé périodique désactivé. */
export function cadenceText(minutes) {
  const n = toNumber(minutes)
  if (!n || n <= 0) return null
  if (n === 60) return 'toutes les heures'
  if (n % 60 === 0) return `toutes les ${n / 60} heures`
  return `toutes les ${formatNumber(n, { decimals: 1, minDecimals: 0 })} minutes`
}

/** Résumé français d'un « Relever maintenant » : `{text, tone: 'ok'|'warning'}`. */
export function snapshotSummary(response) {
  const results = response?.results ?? []
  if (!results.length) return { text: 'Aucun broker à relever : ajoutez-en un dans Mon Compte.', tone: 'warning' }
  const failed = results.filter((r) => toNumber(r.total_usd) === null)
  const read = results.length - failed.length
  const head = read <= 1 ? `${read} solde relevé` : `${read} soldes relevés`
  if (!failed.length) return { text: `${head}.`, tone: 'ok' }
  const details = failed.map((r) => `${r.broker_name} (${r.error || 'solde illisible'})`).join(' ; ')
  return { text: `${head}, ${failed.length} illisible${failed.length > 1 ? 's' : ''} : ${details}`, tone: 'warning' }
}
