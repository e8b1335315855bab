/** Mise en forme des données pour lightweight-charts : temps en secondes Unix, ordre strict. */

/** ISO-8601 | millisecondes | secondes | Date → secondes Unix (entier), sinon null. */
export function toChartTime(value) {
  if (value === null || value === undefined || value === '') return null
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : Math.floor(value.getTime() / 1000)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null
    return Math.floor(value > 1e11 ? value / 1000 : value) // au-delà de 1e11 : des millisecondes
  }
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}

/**
 * Points triés par temps croissant, un seul par instant (le dernier l'emporte), temps invalides écartés :
 * lightweight-charts refuse des temps non strictement croissants.
 */
export function normalizeSeriesData(points) {
  const byTime = new Map()
  for (const point of points ?? []) {
    const time = toChartTime(point?.time)
    if (time === null) continue
    byTime.set(time, { ...point, time })
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time)
}

/** Marqueurs triés (lightweight-charts les attend par temps croissant), temps convertis. */
export function normalizeMarkers(markers) {
  return (markers ?? [])
    .map((m) => ({ ...m, time: toChartTime(m.time) }))
    .filter((m) => m.time !== null)
    .sort((a, b) => a.time - b.time)
}

const INTERVAL_SECONDS = { hour: 3600, day: 86400 }

/**
 * Courbe du P&L réalisé cumulé (réponse de /api/stats/pnl-history/) : un point 0 un intervalle
 * avant le premier, pour que la courbe parte de zéro au début de la période.
 */
export function pnlSeries(history) {
  const points = history?.points ?? []
  if (!points.length) return []
  const step = INTERVAL_SECONDS[history.interval] ?? 86400
  const data = points.map((p) => ({ time: p.timestamp, value: Number(p.cumulative) }))
  return normalizeSeriesData([{ time: data[0].time - step, value: 0 }, ...data])
}
