/**
 * Trading manuel : conversion quantité ↔ montant (USD ou actif de cotation) à partir d'un prix,
 * arrondie au pas de quantité de la paire (toujours vers le bas : on n'achète jamais plus que le
 * montant saisi). Les valeurs des champs sont des chaînes (saisie libre, virgule acceptée).
 */

/** Décimales d'une quantité quand la paire ne donne pas de pas. */
export const DEFAULT_AMOUNT_DECIMALS = 8
const USD_LIKE = new Set(['USD', 'USDT', 'USDC', 'BUSD', 'FDUSD', 'TUSD', 'DAI', 'EUR'])
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

/** « 0,5 » | « 0.5 » | 0.5 → 0.5 ; vide ou illisible → null. */
export function parseAmount(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  const text = value.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.')
  if (!NUMBER_RE.test(text)) return null
  const number = Number(text)
  return Number.isFinite(number) ? number : null
}

/** Décimales d'un pas (« 0.00001000 » → 5, 1 → 0, 0.5 → 1) ; null si pas absent ou invalide. */
export function decimalsOf(step) {
  const value = parseAmount(typeof step === 'number' ? step : String(step ?? ''))
  if (value === null || value <= 0) return null
  const text = value.toFixed(12).replace(/0+$/, '')
  const dot = text.indexOf('.')
  return dot < 0 ? 0 : text.length - dot - 1
}

/** Écriture courte d'un nombre déjà arrondi (« 0.00160 » → « 0.0016 », « 5.0 » → « 5 »). */
export function trimZeros(text) {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text
}

/** `value` arrondi vers le bas au multiple de `step` (sans bruit flottant), en chaîne ; '' si invalide. */
export function floorToStep(value, step) {
  const number = parseAmount(value)
  if (number === null || number < 0) return ''
  const decimals = decimalsOf(step) ?? DEFAULT_AMOUNT_DECIMALS
  const factor = 10 ** decimals
  const stepUnits = decimalsOf(step) === null ? 1 : Math.max(1, Math.round(parseAmount(String(step)) * factor))
  // arrondi à 6 décimales avant la troncature : 0.29 × 100 = 28.999999999999996 doit donner 29
  let units = Math.floor(Number((number * factor).toFixed(6)))
  units -= units % stepUnits
  return trimZeros((units / factor).toFixed(decimals))
}

/** Décimales d'affichage d'un montant dans l'actif de cotation (2 pour un dollar, 8 sinon). */
export function quoteDecimals(quote) {
  return USD_LIKE.has(String(quote ?? '').toUpperCase()) ? 2 : 8
}

/** Montant saisi → quantité, au pas de la paire ; '' si le montant ou le prix manque. */
export function quantityFromQuote(quoteAmount, price, step) {
  const amount = parseAmount(quoteAmount)
  const unitPrice = parseAmount(price)
  if (amount === null || amount < 0 || !unitPrice || unitPrice <= 0) return ''
  return floorToStep(amount / unitPrice, step)
}

/** Quantité saisie → montant en cotation (arrondi au centime pour un dollar) ; '' si incalculable. */
export function quoteFromQuantity(quantity, price, quote = 'USDT') {
  const qty = parseAmount(quantity)
  const unitPrice = parseAmount(price)
  if (qty === null || qty < 0 || !unitPrice || unitPrice <= 0) return ''
  const decimals = quoteDecimals(quote)
  const factor = 10 ** decimals
  const rounded = Math.round(Number((qty * unitPrice * factor).toFixed(6))) / factor
  return decimals === 2 ? rounded.toFixed(2) : trimZeros(rounded.toFixed(decimals))
}

/**
 * Les deux champs liés après une saisie : `source` est le champ tapé par l'utilisateur
 * (`'quantity'` ou `'quote'`), l'autre est recalculé au prix donné.
 * @returns {{quantity: string, quote: string}}
 */
export function linkAmounts({ source, quantity, quote }, { price, step, quoteAsset }) {
  if (source === 'quote') return { quote, quantity: quantityFromQuote(quote, price, step) }
  return { quantity, quote: quoteFromQuantity(quantity, price, quoteAsset) }
}
