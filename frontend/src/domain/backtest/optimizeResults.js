/**
 * Résultats d'une optimisation (logique pure, testée) : métriques (libellés français, sens
 * favorable), lignes du tableau triables par n'importe quelle métrique, carte de chaleur de deux
 * paramètres, courbe d'un paramètre, comparaison dans / hors échantillon.
 */
import { EMPTY, formatNumber } from '../../utils/format.js'
import { sortRows } from '../../utils/tableSort.js'
import { formatMoney, formatPct, formatRatio, formatSigned } from './stats.js'

const pct = (v) => formatPct(v, { signed: true })
const plainPct = (v) => formatPct(v, { decimals: 1 })
const count = (v) => (Number.isFinite(v) ? String(v) : EMPTY)
const candles = (v) => (Number.isFinite(v) ? formatNumber(v, { decimals: 1 }) : EMPTY)

/**
 * Les métriques du backend (`engine/optimize.py` METRICS) ; `better` : sens favorable (`higher`,
 * `lower`, ou null = informatif) ; `alias` : même statistique qu'une autre clé.
 */
export const METRICS = Object.freeze([
  { key: 'final_amount', label: 'Montant final', better: 'higher', format: formatMoney },
  { key: 'total_pnl', label: 'P&L', better: 'higher', format: formatSigned },
  { key: 'total_pnl_pct', label: 'P&L %', better: 'higher', format: pct },
  { key: 'total_return', label: 'Rendement total %', better: 'higher', format: pct, alias: 'total_pnl_pct' },
  { key: 'total_trades', label: 'Trades', better: null, format: count },
  { key: 'winning_trades', label: 'Trades gagnants', better: 'higher', format: count },
  { key: 'losing_trades', label: 'Trades perdants', better: 'lower', format: count },
  { key: 'win_rate', label: 'Taux de réussite', better: 'higher', format: plainPct },
  { key: 'biggest_win', label: 'Meilleur trade', better: 'higher', format: formatSigned },
  { key: 'biggest_loss', label: 'Pire trade', better: 'higher', format: formatSigned },
  { key: 'max_drawdown', label: 'Drawdown max', better: 'lower', format: formatMoney },
  { key: 'max_drawdown_pct', label: 'Drawdown max %', better: 'lower', format: (v) => formatPct(v) },
  { key: 'sharpe_ratio', label: 'Sharpe', better: 'higher', format: formatRatio },
  { key: 'sortino_ratio', label: 'Sortino', better: 'higher', format: formatRatio },
  { key: 'profit_factor', label: 'Profit factor', better: 'higher', format: formatRatio },
  { key: 'expectancy', label: 'Espérance / trade', better: 'higher', format: formatSigned },
  { key: 'expectancy_pct', label: 'Espérance / trade %', better: 'higher', format: pct },
  { key: 'exposure_pct', label: 'Exposition', better: null, format: plainPct },
  { key: 'fees_paid', label: 'Frais', better: 'lower', format: formatMoney },
  { key: 'avg_trade_candles', label: 'Durée moy. (bougies)', better: null, format: candles },
  { key: 'buy_and_hold_pct', label: 'Buy & hold %', better: null, format: pct },
  { key: 'vs_buy_and_hold_pct', label: 'vs buy & hold', better: 'higher', format: pct },
])

const BY_KEY = new Map(METRICS.map((m) => [m.key, m]))

/** La métrique `key` (inconnue : libellé = clé, informatif). */
export function metricInfo(key) {
  return BY_KEY.get(key) ?? { key, label: key, better: null, format: (v) => (Number.isFinite(v) ? formatRatio(v) : EMPTY) }
}

/** Colonnes du tableau : une par statistique (l'alias `total_return` n'a pas la sienne). */
export const TABLE_METRICS = Object.freeze(METRICS.filter((m) => !m.alias))
/** Colonnes montrées sans « Toutes les métriques ». */
export const KEY_METRICS = Object.freeze(['total_pnl_pct', 'sharpe_ratio', 'sortino_ratio', 'win_rate', 'max_drawdown_pct', 'total_trades', 'profit_factor'])

/** Choix de la métrique à maximiser : d'abord celles où « plus » est mieux. */
export function metricOptions() {
  return [
    { label: 'Plus c’est haut, mieux c’est', options: METRICS.filter((m) => m.better === 'higher') },
    { label: 'Autres (maximisées telles quelles)', options: METRICS.filter((m) => m.better !== 'higher') },
  ]
}

const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Valeur d'une statistique d'un run retenable (ni erreur ni anticipation), sinon null. */
export function runMetric(run, key) {
  if (!run || run.error || run.lookahead_detected || !run.stats) return null
  const info = metricInfo(key)
  return finite(run.stats[info.alias ?? key])
}

export const paramKey = (name) => `param:${name}`
const sameParams = (a, b) => Boolean(a && b) && Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v)

/**
 * Lignes du tableau : `param:<nom>` pour chaque paramètre, une clé par métrique (null si erreur),
 * `best` pour le meilleur run, `flag` (`error` | `lookahead` | `errors` | '').
 */
export function runRows(result) {
  const runs = result?.runs ?? []
  const best = result?.best?.params ?? null
  return runs.map((run, index) => {
    const row = { index: index + 1, run, params: run.params ?? {}, best: sameParams(run.params, best) }
    for (const [name, value] of Object.entries(row.params)) row[paramKey(name)] = value
    for (const metric of METRICS) row[metric.key] = runMetric(run, metric.key)
    row.flag = run.error ? 'error' : run.lookahead_detected ? 'lookahead' : run.errors_count ? 'errors' : ''
    row.note = run.error || run.message || (run.errors_count ? `${run.errors_count} erreur(s) de la stratégie` : '')
    return row
  })
}

/** Tri par n'importe quelle colonne ; runs en erreur (valeurs vides) toujours en bas. */
export function sortRuns(rows, key, direction = 'desc') {
  return sortRows(rows, key, direction)
}

/** Sens du premier clic sur une colonne : le meilleur en haut. */
export const defaultDirection = (key) => (metricInfo(key).better === 'lower' ? 'asc' : 'desc')

/** Noms des paramètres de la grille, ceux qui varient d'abord. */
export function gridParams(result) {
  const grid = result?.grid ?? {}
  const names = Object.keys(grid)
  return [...names.filter((n) => grid[n]?.length > 1), ...names.filter((n) => !(grid[n]?.length > 1))]
}

function axisValues(result, name) {
  const fromGrid = result?.grid?.[name]
  if (Array.isArray(fromGrid) && fromGrid.length) return [...fromGrid].sort((a, b) => a - b)
  const seen = new Set((result?.runs ?? []).map((run) => run.params?.[name]).filter((v) => v !== undefined))
  return [...seen].sort((a, b) => a - b)
}

const isBetter = (better, value, than) => than === null || (better === 'lower' ? value < than : value > than)

/**
 * Carte de chaleur de `x` × `y` : valeur d'une case = meilleure métrique parmi les runs de ce couple
 * (autres paramètres quelconques) ; case vide (`value: null`) sans run retenable.
 * @returns {{xs: number[], ys: number[], cells: Array<Array<{x, y, value: number|null, params: object|null, runs: number}>>,
 *   min: number|null, max: number|null}}
 */
export function heatmapMatrix(result, x, y, metric) {
  const xs = axisValues(result, x)
  const ys = axisValues(result, y)
  const better = metricInfo(metric).better
  const cells = ys.map((yv) => xs.map((xv) => ({ x: xv, y: yv, value: null, params: null, runs: 0 })))
  const ix = new Map(xs.map((v, i) => [v, i]))
  const iy = new Map(ys.map((v, i) => [v, i]))
  for (const run of result?.runs ?? []) {
    const cell = cells[iy.get(run.params?.[y])]?.[ix.get(run.params?.[x])]
    if (!cell) continue
    cell.runs += 1
    const value = runMetric(run, metric)
    if (value !== null && isBetter(better, value, cell.value)) Object.assign(cell, { value, params: run.params })
  }
  const values = cells.flat().map((c) => c.value).filter((v) => v !== null)
  return { xs, ys, cells, min: values.length ? Math.min(...values) : null, max: values.length ? Math.max(...values) : null }
}

/** Métrique selon un seul paramètre (meilleure valeur par valeur du paramètre). */
export function metricSeries(result, name, metric) {
  const { xs, cells, min, max } = heatmapMatrix(result, name, name, metric)
  return { points: xs.map((x, i) => ({ x, value: cells[i][i].value, params: cells[i][i].params })), min, max }
}

/**
 * Position d'une valeur sur l'échelle de couleurs, 0 (mauvais) → 1 (bon), selon le sens de la
 * métrique (informatif : du plus bas au plus haut) ; null pour une case vide.
 */
export function scalePosition(value, min, max, better = 'higher') {
  if (value === null || value === undefined || min === null || max === null) return null
  const t = max === min ? 1 : (value - min) / (max - min)
  return better === 'lower' ? 1 - t : t
}

/** Couleur d'une case (tokens du thème : perte → gain), ou celle d'une case vide. */
export function heatColor(t) {
  if (t === null || t === undefined) return 'var(--color-surface-hover)'
  const pctGood = Math.round(Math.min(1, Math.max(0, t)) * 100)
  return `color-mix(in srgb, var(--color-profit) ${pctGood}%, var(--color-loss))`
}

const COMPARED = ['total_pnl_pct', 'sharpe_ratio', 'sortino_ratio', 'win_rate', 'max_drawdown_pct', 'total_trades', 'profit_factor']

/**
 * Meilleurs paramètres dans l'échantillon et hors échantillon, côte à côte (`test` null sans
 * découpage) ; `worse` marque une nette dégradation.
 */
export function sampleComparison(best, metric) {
  if (!best) return []
  const keys = [metric, ...COMPARED.filter((k) => k !== metric && metricInfo(metric).alias !== k)]
  return keys.map((key) => {
    const info = metricInfo(key)
    const train = finite(best.stats?.[info.alias ?? key])
    const test = best.test_stats ? finite(best.test_stats[info.alias ?? key]) : null
    return { key, label: info.label, train: info.format(train), test: best.test_stats ? info.format(test) : null, worse: degraded(info.better, train, test) }
  })
}

/**
 * Dégradation nette hors échantillon : signe perdu, moitié du résultat perdue (ou doublé pour une
 * métrique où « moins » est mieux), ou valeur devenue indéfinie.
 */
export function degraded(better, train, test) {
  if (!better || train === null) return false
  if (test === null) return true
  if (better === 'lower') return test > Math.max(train * 2, train + 1e-9) && test - train > 1
  if (train > 0) return test < train / 2
  return test < train - Math.abs(train) / 2
}

/** Avertissement de surapprentissage (métrique optimisée nettement pire hors échantillon). */
export function overfitWarning(best, metric) {
  if (!best?.test_stats) return ''
  const info = metricInfo(metric)
  const train = finite(best.stats?.[info.alias ?? metric])
  const test = finite(best.test_stats?.[info.alias ?? metric])
  if (!degraded(info.better ?? 'higher', train, test)) return ''
  return `Hors échantillon, ${info.label} tombe de ${info.format(train)} à ${info.format(test)} : ces paramètres sont probablement sur-ajustés à la période d’entraînement.`
}

/** « fast = 10 · slow = 30 ». */
export function paramsLabel(params) {
  const entries = Object.entries(params ?? {})
  return entries.length ? entries.map(([k, v]) => `${k} = ${formatNumber(v, { decimals: 8, minDecimals: 0 })}`).join(' · ') : 'valeurs du code'
}

/**
 * Avertissement si la stratégie a été enregistrée après le lancement de l'optimisation :
 * « Appliquer » relance le code *actuel*, qui peut ne plus donner les mêmes résultats.
 * @param {{updated_at?: string}|null|undefined} strategy
 * @param {{created_at?: string}|null|undefined} optimization
 * @returns {string}
 */
export function strategyChangedWarning(strategy, optimization) {
  const changed = Date.parse(strategy?.updated_at ?? '')
  const launched = Date.parse(optimization?.created_at ?? '')
  if (!Number.isFinite(changed) || !Number.isFinite(launched) || changed <= launched) return ''
  return 'La stratégie a été modifiée depuis cette optimisation : « Appliquer » utilisera son code actuel, les résultats peuvent différer.'
}
