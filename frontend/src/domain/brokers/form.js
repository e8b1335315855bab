/**
 * Fenêtre d'ajout / modification d'un broker — logique pure.
 *
 * Machine à états : edit → checking → checked (solde affiché pour confirmation) → saving → saved.
 * Un échec de vérification revient à `edit` ; un échec d'enregistrement revient à `checked` ;
 * toute modification d'un champ après la vérification l'invalide (retour à `edit`).
 * Un broker papier n'a pas de clés à vérifier : `SAVE_START` avec `direct` part de `edit`, et un
 * échec y revient.
 */

import { formatPaperBalances, parsePaperBalances } from './paper.js'

export const Phase = Object.freeze({
  EDIT: 'edit',
  CHECKING: 'checking',
  CHECKED: 'checked',
  SAVING: 'saving',
  SAVED: 'saved',
})

/** Champs du backend → champs du formulaire (erreurs de validation). */
const FIELD_MAP = Object.freeze({
  name: 'name',
  exchange: 'exchange',
  api_key: 'apiKey',
  api_secret: 'apiSecret',
  password: 'password',
  is_testnet: 'isTestnet',
  is_default: 'isDefault',
  is_paper: 'isPaper',
  paper_balances: 'paperBalances',
})

export function initialMachine() {
  return { phase: Phase.EDIT, check: null, error: '', fieldErrors: {} }
}

/** Transition pure ; un événement sans sens dans la phase courante renvoie l'état tel quel. */
export function brokerFormReducer(state, event) {
  switch (event.type) {
    case 'FIELD_CHANGED':
      if (state.phase === Phase.CHECKED) return { ...initialMachine() }
      if (state.phase === Phase.EDIT && (state.error || Object.keys(state.fieldErrors).length)) {
        const fieldErrors = { ...state.fieldErrors }
        delete fieldErrors[event.field]
        return { ...state, fieldErrors }
      }
      return state
    case 'INVALID':
      if (state.phase !== Phase.EDIT && state.phase !== Phase.CHECKED) return state
      return { ...initialMachine(), fieldErrors: event.fieldErrors ?? {}, error: event.message ?? '' }
    case 'CHECK_START':
      if (state.phase !== Phase.EDIT && state.phase !== Phase.CHECKED) return state
      return { phase: Phase.CHECKING, check: null, error: '', fieldErrors: {} }
    case 'CHECK_OK':
      if (state.phase !== Phase.CHECKING) return state
      return { ...state, phase: Phase.CHECKED, check: event.check }
    case 'CHECK_FAIL':
      if (state.phase !== Phase.CHECKING) return state
      return { ...initialMachine(), error: event.message, fieldErrors: event.fieldErrors ?? {} }
    case 'SAVE_START':
      if (state.phase !== Phase.CHECKED && !(event.direct && state.phase === Phase.EDIT)) return state
      return { ...state, phase: Phase.SAVING, direct: Boolean(event.direct), error: '', fieldErrors: {} }
    case 'SAVE_OK':
      if (state.phase !== Phase.SAVING) return state
      return { ...state, phase: Phase.SAVED }
    case 'SAVE_FAIL':
      if (state.phase !== Phase.SAVING) return state
      return {
        ...state,
        phase: state.direct ? Phase.EDIT : Phase.CHECKED,
        error: event.message,
        fieldErrors: event.fieldErrors ?? {},
      }
    case 'RESET':
      return initialMachine()
    default:
      return state
  }
}

/** Formulaire vide (ajout) ou pré-rempli (modification : les clés ne sont jamais relues). */
export function brokerFormFromBroker(broker) {
  return {
    name: broker?.name ?? '',
    exchange: broker?.exchange ?? 'binance',
    apiKey: '',
    apiSecret: '',
    password: '',
    isTestnet: Boolean(broker?.is_testnet),
    isDefault: Boolean(broker?.is_default),
    isPaper: Boolean(broker?.is_paper),
    paperBalances: formatPaperBalances(broker?.is_paper ? broker.paper_balances : null),
  }
}

export const supportsTestnet = (exchangeInfo) => Boolean(exchangeInfo?.sandbox)
export const requiresPassword = (exchangeInfo) => Boolean(exchangeInfo?.requires_password)

/**
 * Erreurs par champ avant tout appel réseau.
 * @param {ReturnType<typeof brokerFormFromBroker>} form
 * @param {{broker?: object|null, exchangeInfo?: object|null}} context broker = modification
 */
export function validateBrokerForm(form, { broker = null, exchangeInfo = null } = {}) {
  const errors = {}
  if (!form.name.trim()) errors.name = 'Donnez un nom à ce broker.'
  else if (form.name.trim().length > 80) errors.name = '80 caractères au maximum.'
  if (!form.exchange) errors.exchange = 'Choisissez un exchange.'
  if (form.isPaper) {
    const { error } = parsePaperBalances(form.paperBalances)
    if (error) errors.paperBalances = error
    return errors
  }
  if (!broker) {
    if (!form.apiKey.trim()) errors.apiKey = 'La clé API est obligatoire.'
    if (!form.apiSecret.trim()) errors.apiSecret = 'Le secret API est obligatoire.'
  }
  const passwordKnown = broker?.has_password && broker.exchange === form.exchange
  if (requiresPassword(exchangeInfo) && !form.password && !passwordKnown) {
    errors.password = 'Cet exchange exige une passphrase.'
  }
  if (form.isTestnet && exchangeInfo && !supportsTestnet(exchangeInfo)) {
    errors.isTestnet = 'Cet exchange n’a pas de testnet.'
  }
  return errors
}

/** Corps de `POST /api/brokers/check/` (clés vides = celles du broker enregistré). */
export function checkPayload(form, broker = null) {
  const payload = {
    exchange: form.exchange,
    api_key: form.apiKey.trim(),
    api_secret: form.apiSecret.trim(),
    password: form.password,
    is_testnet: form.isTestnet,
  }
  if (broker) payload.broker_id = broker.id
  return payload
}

/** Corps de `POST /api/brokers/` ou `PATCH /api/brokers/<id>/` (secrets vides = inchangés). */
export function savePayload(form, broker = null) {
  if (form.isPaper) return paperSavePayload(form, broker)
  const payload = { name: form.name.trim(), exchange: form.exchange, is_testnet: form.isTestnet }
  // Le broker par défaut se choisit à la création, ensuite par « Définir par défaut ».
  if (!broker) payload.is_default = form.isDefault
  if (form.apiKey.trim()) payload.api_key = form.apiKey.trim()
  if (form.apiSecret.trim()) payload.api_secret = form.apiSecret.trim()
  if (form.password) payload.password = form.password
  return payload
}

/** Broker papier : ni clés ni testnet ; mode et exchange fixés à la création. */
function paperSavePayload(form, broker) {
  const payload = { name: form.name.trim(), paper_balances: parsePaperBalances(form.paperBalances).balances }
  if (!broker) Object.assign(payload, { exchange: form.exchange, is_paper: true, is_default: form.isDefault })
  return payload
}

/** Erreurs de validation du backend (`errors`) → erreurs du formulaire. */
export function fieldErrorsFromApi(errors) {
  const result = {}
  if (!errors || typeof errors !== 'object') return result
  for (const [field, messages] of Object.entries(errors)) {
    const key = FIELD_MAP[field]
    if (key) result[key] = Array.isArray(messages) ? messages.join(' ') : String(messages)
  }
  return result
}

const toNumber = (value) => {
  if (value === null || value === undefined || value === '') return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

/** Réponse de la vérification → solde affichable, du plus gros au plus petit. */
export function normalizeBalance(result) {
  const rows = (Array.isArray(result?.balances) ? result.balances : []).map((row) => ({
    asset: String(row.asset ?? ''),
    free: toNumber(row.free),
    used: toNumber(row.used),
    total: toNumber(row.total),
    usdValue: toNumber(row.usd_value),
  }))
  return { rows, totalUsd: toNumber(result?.total_usd) }
}
