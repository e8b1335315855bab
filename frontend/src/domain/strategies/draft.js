/**
 * Logique pure de la page Stratégies : brouillon ↔ stratégie enregistrée (modifications non
 * enregistrées), noms uniques, lecture du résultat de validation (décisions, ligne d'erreur).
 */

/** Unités de temps d'Aristobot (spec §3.1), dans l'ordre. */
export const TIMEFRAMES = Object.freeze(['1m', '3m', '5m', '10m', '15m', '1h', '2h', '4h'])
export const DEFAULT_TIMEFRAME = '15m'
export const DRAFT_FIELDS = Object.freeze(['name', 'description', 'code', 'timeframe'])
export const NEW_STRATEGY_NAME = 'Nouvelle stratégie'

/** Brouillon éditable à partir d'une stratégie du serveur (null → brouillon vide). */
export function draftFromStrategy(strategy) {
  return {
    name: strategy?.name ?? '',
    description: strategy?.description ?? '',
    code: strategy?.code ?? '',
    timeframe: strategy?.timeframe ?? DEFAULT_TIMEFRAME,
  }
}

/** Champs du brouillon qui diffèrent de la version enregistrée (corps du PATCH). */
export function draftChanges(draft, saved) {
  if (!draft || !saved) return {}
  const reference = draftFromStrategy(saved)
  const changes = {}
  for (const field of DRAFT_FIELDS) {
    const value = field === 'name' ? draft.name.trim() : draft[field]
    if (value !== reference[field]) changes[field] = value
  }
  return changes
}

export const isDraftDirty = (draft, saved) => Object.keys(draftChanges(draft, saved)).length > 0

/** Erreurs de saisie (messages français) ; objet vide si le brouillon peut être enregistré. */
export function draftErrors(draft) {
  const errors = {}
  if (!draft.name.trim()) errors.name = 'Le nom ne peut pas être vide.'
  else if (draft.name.trim().length > 120) errors.name = 'Le nom dépasse 120 caractères.'
  if (!draft.code.trim()) errors.code = 'Le code de la stratégie est vide.'
  if (!TIMEFRAMES.includes(draft.timeframe)) errors.timeframe = 'Unité de temps inconnue.'
  return errors
}

const normalized = (name) => name.trim().toLocaleLowerCase('fr')

/** `base`, sinon `base 2`, `base 3`… : premier nom absent de `existing` (casse ignorée). */
export function uniqueName(base, existing) {
  const taken = new Set(existing.map(normalized))
  if (!taken.has(normalized(base))) return base
  for (let n = 2; ; n += 1) {
    const candidate = `${base} ${n}`
    if (!taken.has(normalized(candidate))) return candidate
  }
}

/** Nom proposé pour une copie : « EMA (copie) », « EMA (copie) 2 »… */
export const copyName = (name, existing) => uniqueName(`${name} (copie)`, existing)

/** Libellés des méthodes de décision, dans l'ordre d'appel du runtime. */
export const DECISIONS = Object.freeze([
  { key: 'should_long', label: 'Achat (should_long)', kind: 'bool' },
  { key: 'should_short', label: 'Vente à découvert (should_short)', kind: 'bool' },
  { key: 'calculate_position_size', label: 'Taille de position', kind: 'amount' },
  { key: 'calculate_stop_loss', label: 'Stop loss', kind: 'fraction' },
  { key: 'calculate_take_profit', label: 'Take profit', kind: 'fraction' },
])

const numberFr = (value, digits) =>
  Number(value).toLocaleString('fr-FR', { maximumFractionDigits: digits, minimumFractionDigits: 0 })

function formatDecision(kind, value) {
  if (value === undefined || value === null) return '—'
  if (kind === 'bool') return value ? 'Oui' : 'Non'
  if (kind === 'amount') return `${numberFr(value, 2)} (devise de cotation)`
  return Number(value) === 0 ? 'aucun' : `${numberFr(Number(value) * 100, 2)} %`
}

/** Lignes du tableau « décisions de l'exécution d'essai » d'une validation réussie. */
export function decisionRows(results = {}) {
  return DECISIONS.map(({ key, label, kind }) => ({
    key,
    label,
    value: formatDecision(kind, results[key]),
    active: kind === 'bool' ? Boolean(results[key]) : Number(results[key] ?? 0) > 0,
  }))
}

/**
 * Marqueurs de l'éditeur pour un résultat de validation : l'erreur sur sa ligne (1 = première
 * ligne de l'éditeur). Sans numéro de ligne, aucun marqueur (le message reste dans le panneau).
 */
export function validationMarkers(result) {
  if (!result || result.ok || !Number.isInteger(result.line) || result.line < 1) return []
  return [{ line: result.line, message: result.error, severity: 'error' }]
}

/**
 * Paramètres à afficher : ceux du dernier test s'il porte sur le code actuel, sinon ceux du code
 * enregistré (`stale` : le brouillon diffère et n'a pas été testé).
 */
export function shownParameters({ saved, validation, validationStale, isDirty }) {
  if (validation && !validationStale && Array.isArray(validation.parameters)) {
    return { list: validation.parameters, stale: false }
  }
  return { list: Array.isArray(saved?.parameters) ? saved.parameters : [], stale: Boolean(isDirty) }
}
