/**
 * Optimisation des paramètres depuis la page Backtest (logique pure, testée) : lignes de paramètres
 * (« Plage » début/fin/pas ou « Fixe ») → grille `fast=5:30:5,slow=20` du backend, nombre de
 * combinaisons (mêmes règles que `engine/optimize.py` : bornes incluses, réels arrondis à
 * 10 décimales), messages d'erreur français, corps de `POST /api/backtest-optimizations/`,
 * progression lue dans les messages de `/ws/backtest-optimization/<id>/`.
 */
import { MessageType } from '../../websocket/messageTypes.js'
import { buildPayload, isActive } from './run.js'

/** Au-delà, le backend exige un « Nombre max de runs » (tirage au hasard). */
export const MAX_COMBINATIONS = 10_000
export const DEFAULT_METRIC = 'sharpe_ratio'
export const DEFAULT_TEST_RATIO = 0.3
export const TEST_RATIO_MIN = 0.05
export const TEST_RATIO_MAX = 0.5
export const MODE_RANGE = 'range'
export const MODE_FIXED = 'fixed'

export const OptimizationMessage = Object.freeze({
  PROGRESS: MessageType.OPTIMIZATION_PROGRESS,
  DONE: MessageType.OPTIMIZATION_DONE,
  ERROR: MessageType.OPTIMIZATION_ERROR,
  CANCELLED: MessageType.OPTIMIZATION_CANCELLED,
})

const fmt = (n) => String(n).replace('.', ',')
const round10 = (x) => Math.round(x * 1e10) / 1e10
const trimNumber = (x) => String(round10(x))

/** Plage proposée autour de la valeur du code (moitié → double, ~8 valeurs). */
function defaultRange(param) {
  const d = Number(param.default) || 0
  if (param.type === 'int') {
    if (d === 0) return { start: '0', stop: '10', step: '2' }
    const [lo, hi] = [Math.round(d / 2), d * 2].sort((a, b) => a - b)
    return { start: String(lo), stop: String(hi), step: String(Math.max(1, Math.round((hi - lo) / 6))) }
  }
  if (d === 0) return { start: '0', stop: '1', step: '0.25' }
  const [lo, hi] = [d / 2, d * 2].sort((a, b) => a - b)
  return { start: trimNumber(lo), stop: trimNumber(hi), step: trimNumber((hi - lo) / 6) }
}

/**
 * Une ligne par paramètre détecté ; les deux premiers en « Plage » (la carte de chaleur a deux
 * axes), les autres « Fixe » à la valeur du code.
 */
export function defaultRows(parameters = []) {
  return parameters.map((param, index) => ({
    name: param.name,
    type: param.type === 'int' ? 'int' : 'float',
    default: param.default,
    mode: index < 2 ? MODE_RANGE : MODE_FIXED,
    value: String(param.default ?? ''),
    ...defaultRange(param),
  }))
}

/** Garde les saisies des paramètres encore présents (code modifié), ajoute les nouveaux. */
export function mergeRows(previous, parameters = []) {
  const fresh = defaultRows(parameters)
  return fresh.map((row) => {
    const old = previous?.find((item) => item.name === row.name && item.type === row.type)
    return old ? { ...old, default: row.default } : row
  })
}

/** Nombre lu dans un champ (virgule française acceptée) ; null si vide ou invalide. */
export function parseNumber(text) {
  const clean = String(text ?? '').trim().replace(',', '.')
  if (!clean) return null
  const n = Number(clean)
  return Number.isFinite(n) ? n : null
}

function castField(row, label, text) {
  const n = parseNumber(text)
  if (n === null) return { error: `« ${row.name} » : ${label} manquant ou non numérique.` }
  if (row.type === 'int' && !Number.isInteger(n)) return { error: `« ${row.name} » : nombre entier attendu (${label} ${fmt(n)}).` }
  return { value: n }
}

/**
 * Valeurs d'une ligne (celles que le backend essaiera) ou `{error}` en français. Une ligne « Fixe »
 * donne une seule valeur.
 */
export function rowValues(row) {
  if (row.mode === MODE_FIXED) {
    const cast = castField(row, 'valeur', row.value)
    return cast.error ? cast : { values: [cast.value] }
  }
  const fields = [['début', row.start], ['fin', row.stop], ['pas', row.step]].map(([label, text]) => castField(row, label, text))
  const failed = fields.find((f) => f.error)
  if (failed) return failed
  const [start, stop, step] = fields.map((f) => f.value)
  if (step <= 0) return { error: `« ${row.name} » : le pas doit être strictement positif.` }
  if (stop < start) return { error: `« ${row.name} » : la fin (${fmt(stop)}) précède le début (${fmt(start)}).` }
  const count = Math.floor((stop - start) / step + 1e-9) + 1
  if (count > MAX_COMBINATIONS) return { error: `« ${row.name} » : ${count} valeurs, au plus ${MAX_COMBINATIONS.toLocaleString('fr-FR')}.` }
  const values = Array.from({ length: count }, (_, k) => (row.type === 'int' ? Math.trunc(start + k * step) : round10(start + k * step)))
  return { values: [...new Set(values)] }
}

/** Ligne « Fixe » égale à la valeur du code : rien à envoyer. */
const isCodeValue = (row) => row.mode === MODE_FIXED && parseNumber(row.value) === Number(row.default)

/** Texte de grille du backend : plages et valeurs fixes différentes du code. */
export function gridSpec(rows) {
  return rows
    .filter((row) => !isCodeValue(row))
    .map((row) => {
      if (row.mode === MODE_FIXED) return `${row.name}=${parseNumber(row.value)}`
      return `${row.name}=${[row.start, row.stop, row.step].map(parseNumber).join(':')}`
    })
    .join(',')
}

/**
 * Analyse du formulaire d'optimisation : `{spec, combinations, runs, errors: [messages], tooBig}`.
 * `combinations` : taille de la grille ; `runs` : backtests réellement lancés (≤ max runs).
 */
export function analyzeGrid(rows, { maxRuns = '', testRatio = null } = {}) {
  const errors = []
  let combinations = 1
  for (const row of rows) {
    const result = rowValues(row)
    if (result.error) errors.push(result.error)
    else combinations *= result.values.length
  }
  if (!rows.length) errors.push('Cette stratégie n’a aucun paramètre à optimiser.')
  else if (!rows.some((row) => row.mode === MODE_RANGE)) errors.push('Mettez au moins un paramètre en « Plage » (sinon, lancez un backtest simple).')
  const max = String(maxRuns ?? '').trim() === '' ? null : parseNumber(maxRuns)
  if (max !== null && !(Number.isInteger(max) && max >= 1 && max <= MAX_COMBINATIONS)) {
    errors.push(`Nombre max de runs : entier entre 1 et ${MAX_COMBINATIONS.toLocaleString('fr-FR')}.`)
  } else if (String(maxRuns ?? '').trim() !== '' && max === null) {
    errors.push('Nombre max de runs : nombre attendu.')
  }
  if (testRatio !== null && !(testRatio >= TEST_RATIO_MIN && testRatio <= TEST_RATIO_MAX)) {
    errors.push(`Part hors échantillon : entre ${fmt(TEST_RATIO_MIN)} et ${fmt(TEST_RATIO_MAX)}.`)
  }
  const valid = !errors.length
  const tooBig = valid && max === null && combinations > MAX_COMBINATIONS
  if (tooBig) {
    errors.push(`Grille trop grande : ${combinations.toLocaleString('fr-FR')} combinaisons (au plus ${MAX_COMBINATIONS.toLocaleString('fr-FR')}) : réduisez les plages ou indiquez un « Nombre max de runs » (tirage au hasard).`)
  }
  return {
    spec: gridSpec(rows),
    combinations: valid ? combinations : null,
    runs: valid ? Math.min(combinations, max ?? combinations) : null,
    maxRuns: max,
    errors,
    tooBig,
  }
}

/** Corps de `POST /api/backtest-optimizations/` (champs communs : ceux du formulaire Backtest). */
export function buildOptimizationPayload(form, settings, { timezone = 'UTC' } = {}) {
  const analysis = analyzeGrid(settings.rows, { maxRuns: settings.maxRuns, testRatio: settings.outOfSample ? Number(settings.testRatio) : null })
  return {
    ...buildPayload(form, { timezone }),
    grid: analysis.spec,
    metric: settings.metric || DEFAULT_METRIC,
    max_runs: analysis.maxRuns,
    test_ratio: settings.outOfSample ? Number(settings.testRatio) : null,
  }
}

// --- progression ------------------------------------------------------------------------------
const clamp = (value) => Math.min(100, Math.max(0, Number(value) || 0))

/** État de progression d'une ligne de l'API (lancement, rechargement de la page). */
export function progressFromOptimization(row) {
  if (!row) return null
  const done = row.status === 'done'
  return {
    id: row.id,
    status: row.status,
    phase: ['pending', 'downloading'].includes(row.status) ? 'download' : 'compute',
    download: clamp(done ? 100 : row.download_progress),
    compute: clamp(done ? 100 : row.progress),
    runsDone: Number(row.runs_done) || 0,
    runsTotal: Number(row.runs_total) || 0,
    message: '',
    error: row.status === 'error' ? row.error_message || 'Erreur' : '',
  }
}

/** Applique un message WebSocket (nouvel objet) ; les barres ne reculent pas, autre id ignoré. */
export function applyOptimizationMessage(state, message) {
  if (!state || !message || message.optimization_id !== state.id) return state
  switch (message.type) {
    case OptimizationMessage.PROGRESS:
      if (!isActive(state.status)) return state
      return {
        ...state,
        status: message.status ?? state.status,
        phase: message.phase ?? state.phase,
        download: Math.max(state.download, clamp(message.download_progress)),
        compute: Math.max(state.compute, clamp(message.compute_progress)),
        runsDone: Math.max(state.runsDone, Number(message.runs_done) || 0),
        runsTotal: Number(message.runs_total) || state.runsTotal,
        message: message.message ?? '',
      }
    case OptimizationMessage.DONE:
      return { ...state, status: 'done', phase: 'compute', download: 100, compute: 100, runsDone: Number(message.total_runs) || state.runsTotal, message: '' }
    case OptimizationMessage.ERROR:
      return { ...state, status: 'error', error: message.message || 'Erreur', message: '' }
    case OptimizationMessage.CANCELLED:
      return { ...state, status: 'cancelled', phase: message.phase ?? state.phase, message: '' }
    default:
      return state
  }
}
