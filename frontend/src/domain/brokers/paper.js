/**
 * Brokers papier : soldes de départ saisis en texte (« 10000 USDT; 0,5 BTC ») ↔ objet de l'API
 * (`paper_balances`: {"USDT": "10000", "BTC": "0.5"}), libellés et résumés.
 */

export const DEFAULT_PAPER_BALANCES = Object.freeze({ USDT: '10000' })
export const MAX_PAPER_ASSETS = 50

const ASSET = /^[A-Z0-9][A-Z0-9._-]{0,19}$/
const NUMBER = /^\d+(?:[.,]\d+)?$/
const FORMAT_HINT = 'une quantité et un actif par entrée, séparées par « ; » (ex. 10000 USDT; 0,5 BTC)'

/** Vrai si le broker (de l'API) est un broker papier. */
export const isPaperBroker = (broker) => Boolean(broker?.is_paper)

/** Une entrée « 10000 USDT », « USDT 10000 », « USDT=10000 » ou « 0,5 BTC » → [actif, quantité]. */
function parseEntry(entry) {
  const parts = entry
    .replace(/[=:]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
  if (parts.length !== 2) return null
  const [first, second] = parts
  const [amount, asset] = NUMBER.test(first) ? [first, second] : [second, first]
  if (!NUMBER.test(amount)) return null
  return [asset.toUpperCase(), amount.replace(',', '.')]
}

/**
 * Texte saisi → `{ balances, error }` : `balances` prêt pour l'API (quantités en texte exact),
 * `error` en français (vide si tout va bien).
 */
export function parsePaperBalances(text) {
  const entries = String(text ?? '')
    .split(/[;\n]|,\s+/)
    .map((e) => e.trim())
    .filter(Boolean)
  if (!entries.length) return { balances: null, error: 'Indiquez au moins un solde de départ (ex. 10000 USDT).' }
  if (entries.length > MAX_PAPER_ASSETS) return { balances: null, error: `${MAX_PAPER_ASSETS} actifs au plus.` }
  const balances = {}
  for (const entry of entries) {
    const parsed = parseEntry(entry)
    if (!parsed) return { balances: null, error: `« ${entry.slice(0, 30)} » illisible : ${FORMAT_HINT}.` }
    const [asset, amount] = parsed
    if (!ASSET.test(asset)) return { balances: null, error: `Actif invalide : « ${asset.slice(0, 30)} ».` }
    if (asset in balances) return { balances: null, error: `Actif ${asset} donné deux fois.` }
    balances[asset] = amount
  }
  if (!Object.values(balances).some((amount) => Number(amount) > 0)) {
    return { balances: null, error: 'Au moins un solde de départ doit être positif.' }
  }
  return { balances, error: '' }
}

/** Objet de l'API → texte du champ (« 10000 USDT; 0.5 BTC »). */
export function formatPaperBalances(balances) {
  const source = balances && typeof balances === 'object' ? balances : DEFAULT_PAPER_BALANCES
  return Object.entries(source)
    .map(([asset, amount]) => `${amount} ${asset}`)
    .join('; ')
}

const amountFormat = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 12 })

/** Résumé lisible : « 10 000 USDT + 0,5 BTC » (« — » si rien). */
export function paperBalancesSummary(balances) {
  const entries = Object.entries(balances && typeof balances === 'object' ? balances : {})
  if (!entries.length) return '—'
  return entries.map(([asset, amount]) => `${amountFormat.format(Number(amount))} ${asset}`).join(' + ')
}
