/** Logique pure de la page Webhooks : statuts, filtres, fusion des mises à jour en direct, alerte de test. */
import { formatNumber } from '../../utils/format.js'
import { orderTypeLabel, webhookActionLabel } from '../trading/labels.js'

export const LOG_PAGE_SIZE = 20

export const WEBHOOK_STATUSES = Object.freeze([
  { value: 'pending', label: 'En attente', tone: 'warning' },
  { value: 'processing', label: 'En cours', tone: 'primary' },
  { value: 'done', label: 'Exécuté', tone: 'success' },
  { value: 'error', label: 'Erreur', tone: 'danger' },
  { value: 'rejected', label: 'Rejeté', tone: 'danger' },
  { value: 'duplicate', label: 'Doublon', tone: 'neutral' },
])

const BY_VALUE = new Map(WEBHOOK_STATUSES.map((s) => [s.value, s]))

export function statusMeta(status) {
  return BY_VALUE.get(status) ?? { value: status, label: status || '—', tone: 'neutral' }
}

/** Les champs de TradingView utilisés dans le message d'alerte. */
export const ALERT_PLACEHOLDERS = Object.freeze([
  { placeholder: '{{ticker}}', help: 'symbole du graphique (ex. BTCUSDT) → champ « symbol »' },
  { placeholder: '{{strategy.order.action}}', help: '« buy » ou « sell » selon l’ordre de la stratégie Pine → « action »' },
  { placeholder: '{{close}}', help: 'cours de clôture de la bougie → « price » (utile pour un ordre limite)' },
  { placeholder: '{{timenow}}', help: 'heure de l’alerte : rend l’« id » unique, une alerte renvoyée est ignorée (doublon)' },
])

/** Vrai si la ligne correspond aux filtres du journal (même règle que `?status=&q=` du serveur). */
export function rowMatchesFilters(row, { status = '', q = '' } = {}) {
  if (status && row.status !== status) return false
  const text = q.trim().toLowerCase()
  if (!text) return true
  if (/^\d+$/.test(text) && String(row.id) === text) return true
  return [row.source, row.raw_body, row.error_message, row.source_ip].some((field) =>
    String(field ?? '').toLowerCase().includes(text),
  )
}

const receivedMs = (row) => Date.parse(row.received_at) || 0
const newestFirst = (a, b) => receivedMs(b) - receivedMs(a) || b.id - a.id

/**
 * Fusionne une ligne reçue en direct dans la page affichée.
 * - ligne déjà affichée → remplacée à sa place ;
 * - nouvelle ligne et `insert` (première page, filtres respectés) → ajoutée en tête, page bornée.
 * @returns {{rows: object[], replaced: boolean, inserted: boolean}}
 */
export function mergeLogRow(rows, row, { insert = false, pageSize = LOG_PAGE_SIZE } = {}) {
  const index = rows.findIndex((r) => r.id === row.id)
  if (index >= 0) {
    const next = rows.slice()
    next[index] = row
    return { rows: next, replaced: true, inserted: false }
  }
  if (!insert) return { rows, replaced: false, inserted: false }
  return { rows: [row, ...rows].sort(newestFirst).slice(0, pageSize), replaced: false, inserted: true }
}

/** Alerte de test : petit achat (10 en devise de cotation), id unique « test-<horodatage> ». */
export function buildTestAlert({ secret, now = Date.now() }) {
  return { secret, action: 'buy', symbol: 'BTCUSDT', amount: 10, source: 'test', id: `test-${now}` }
}

/** Secret masqué (longueur indicative bornée). */
export function maskSecret(secret) {
  return secret ? '•'.repeat(Math.min(Math.max(secret.length, 8), 24)) : ''
}

/** Contenu reçu, lisible : JSON indenté (sans le secret), sinon le corps brut. */
export function payloadText(row) {
  if (row?.payload && typeof row.payload === 'object') return JSON.stringify(row.payload, null, 2)
  return row?.raw_body || ''
}

/** Nombre reçu (nombre ou texte) au format français, sinon tel quel. */
function amountText(value) {
  const n = typeof value === 'number' ? value : Number(String(value).trim())
  return String(value).trim() !== '' && Number.isFinite(n) ? formatNumber(n, { decimals: 8, minDecimals: 0 }) : String(value)
}

/**
 * Résumé d'une ligne sur une ligne, en français : « Achat BTCUSDT 10 », « Vente (Limite) ETHUSDT 0,5
 * @ 3 000 », « Clôture (tout vendre) BTCUSDT ».
 */
export function payloadSummary(row) {
  const p = row?.payload
  if (!p || typeof p !== 'object') return row?.raw_body ? row.raw_body.slice(0, 60) : '—'
  const size = p.quantity ?? p.amount
  const parts = [
    p.action !== undefined && p.action !== '' ? webhookActionLabel(p.action) : undefined,
    p.order_type ? `(${orderTypeLabel(p.order_type)})` : undefined,
    p.symbol,
    size !== undefined && size !== null && size !== '' ? amountText(size) : undefined,
    p.percent !== undefined && p.percent !== null ? `${amountText(p.percent)} %` : undefined,
    p.price !== undefined && p.price !== null && p.price !== '' ? `@ ${amountText(p.price)}` : undefined,
  ]
  return parts.filter((v) => v !== undefined && v !== '').join(' ') || '—'
}
