/**
 * Données des graphiques d'un backtest (logique pure, testée) : chandeliers, marqueurs des trades,
 * niveaux SL/TP du trade choisi, équité, drawdown, comparaison de deux courbes.
 * Les temps sont en secondes Unix, calés sur le début du seau quand les bougies sont regroupées
 * (lightweight-charts aligne tout sur les temps des séries).
 */

export const EXIT_LABELS = Object.freeze({ signal: 'Vente', stop_loss: 'SL', take_profit: 'TP', end: 'Fin' })
/** Au-delà, les marqueurs sont éclaircis (un trade sur n) ; le trade choisi est toujours gardé. */
export const MAX_MARKED_TRADES = 1500

/** ISO | ms | s → secondes Unix (null si invalide). */
export function toSeconds(value) {
  if (value === null || value === undefined || value === '') return null
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value > 1e11 ? value / 1000 : value) : null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}

/** Début du seau (regroupement des bougies) contenant `seconds`. */
export function snapTime(seconds, bucketSeconds = 0) {
  if (seconds === null) return null
  return bucketSeconds > 0 ? Math.floor(seconds / bucketSeconds) * bucketSeconds : seconds
}

/** Réponse de `/api/backtests/<id>/candles/` → données de chandeliers. */
export function candleData(response) {
  return (response?.candles ?? []).map(([time, open, high, low, close]) => ({ time, open, high, low, close }))
}

/** Marqueurs : achat (flèche sous la bougie) et sortie (au-dessus, vert/rouge selon le P&L). */
export function tradeMarkers(trades, bucketSeconds = 0, { selected = null, max = MAX_MARKED_TRADES } = {}) {
  const list = trades ?? []
  const stride = list.length > max ? Math.ceil(list.length / max) : 1
  const withText = list.length <= 80
  const size = list.length > 200 ? 0.6 : 1 // vue d'ensemble chargée : marqueurs plus petits
  const markers = []
  list.forEach((trade, index) => {
    if (index % stride !== 0 && index !== selected) return
    const entry = snapTime(toSeconds(trade.entry_time), bucketSeconds)
    const exit = snapTime(toSeconds(trade.exit_time), bucketSeconds)
    const chosen = index === selected
    if (entry !== null) {
      markers.push({ time: entry, position: 'belowBar', shape: 'arrowUp', color: 'primary',
        text: withText || chosen ? 'Achat' : undefined, size: chosen ? 2 : size })
    }
    if (exit !== null) {
      markers.push({ time: exit, position: 'aboveBar', shape: 'arrowDown',
        color: Number(trade.pnl) >= 0 ? 'profit' : 'loss',
        text: withText || chosen ? EXIT_LABELS[trade.exit_reason] ?? 'Sortie' : undefined, size: chosen ? 2 : size })
    }
  })
  return markers.sort((a, b) => a.time - b.time)
}

const LEVEL_OPTIONS = { lineWidth: 1, lineStyle: 2, priceLineVisible: false, crosshairMarkerVisible: false,
  lastValueVisible: true }

/** Niveaux du trade choisi (entrée, SL, TP) tracés de l'entrée à la sortie. */
export function levelSeries(trade, bucketSeconds = 0) {
  if (!trade) return []
  const start = snapTime(toSeconds(trade.entry_time), bucketSeconds)
  let end = snapTime(toSeconds(trade.exit_time), bucketSeconds)
  if (start === null) return []
  if (end === null || end <= start) end = start + Math.max(bucketSeconds, 60)
  const segment = (value) => [{ time: start, value }, { time: end, value }]
  const levels = [{ id: 'level-entry', value: trade.entry_price, color: 'primary', title: 'Entrée' },
    { id: 'level-sl', value: trade.stop_loss, color: 'loss', title: 'SL' },
    { id: 'level-tp', value: trade.take_profit, color: 'profit', title: 'TP' }]
  return levels
    .filter((level) => Number.isFinite(Number(level.value)) && level.value !== null)
    .map((level) => ({ id: level.id, type: 'line', color: level.color, data: segment(Number(level.value)),
      options: { ...LEVEL_OPTIONS, title: level.title } }))
}

export const equityData = (curve) => (curve ?? []).map((p) => ({ time: p.time, value: Number(p.equity) }))

/** Drawdown en % négatif (la courbe plonge sous zéro). */
export const drawdownData = (curve) =>
  (curve ?? []).map((p) => ({ time: p.time, value: -Math.abs(Number(p.drawdown_pct) || 0) }))

/** Rendement en % du montant de départ : compare deux backtests de montants différents. */
export function returnData(curve, initialAmount) {
  const initial = Number(initialAmount)
  if (!(initial > 0)) return []
  return (curve ?? []).map((p) => ({ time: p.time, value: (Number(p.equity) / initial - 1) * 100 }))
}
