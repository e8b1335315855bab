/**
 * Trading manuel : validation du formulaire d'ordre, estimation, résumé de confirmation, requête
 * envoyée à `POST /api/trading-manual/orders/` et message de résultat. Logique pure (testée).
 *
 * Formulaire : `{orderType: 'market'|'limit', quantity: string, quote: string, price: string,
 * source: 'quantity'|'quote'}` — `source` est le champ saisi par l'utilisateur (l'autre est calculé) ;
 * c'est lui qui est envoyé (quantité en base OU montant en cotation), l'exchange arrondit.
 * Marché (`market`) : une ligne de `/api/market-symbols/` (`symbol, base, quote, amount_precision,
 * min_amount, min_cost`).
 */
import { formatNumber } from '../../utils/format.js'
import { parseAmount, quantityFromQuote, quoteDecimals, quoteFromQuantity } from './amount.js'
import { orderTypeLabel, sideLabel, statusLabel } from './labels.js'

export const emptyOrderForm = () => ({ orderType: 'market', quantity: '', quote: '', price: '', source: 'quantity' })

/** Texte saisi → nombre pour l'API (« 0,5 » → « 0.5 »), sans espaces. */
export function toApiNumber(text) {
  return String(text ?? '').replace(/[\s\u00a0\u202f]/g, '').replace(',', '.')
}

/** Prix de référence : le prix limite pour un ordre limite, sinon le dernier prix. */
export function referencePrice(form, lastPrice) {
  const price = form.orderType === 'limit' ? parseAmount(form.price) : parseAmount(lastPrice)
  return price && price > 0 ? price : null
}

/** Quantité et montant estimés (nombres ou null) au prix de référence. */
export function estimateOrder(form, { market, lastPrice } = {}) {
  const price = referencePrice(form, lastPrice)
  const step = market?.amount_precision
  const quantity = form.source === 'quote' ? quantityFromQuote(form.quote, price, step) : form.quantity
  const quote = form.source === 'quote' ? form.quote : quoteFromQuantity(form.quantity, price, market?.quote)
  return { price, quantity: parseAmount(quantity), quote: parseAmount(quote) }
}

function amountError(text, { feminine, noun }) {
  if (String(text ?? '').trim() === '') return `Saisissez ${feminine ? 'une' : 'un'} ${noun}.`
  const value = parseAmount(text)
  if (value === null) return 'Nombre invalide.'
  if (value <= 0) return `${feminine ? 'La' : 'Le'} ${noun} doit être strictement positi${feminine ? 've' : 'f'}.`
  return null
}

/**
 * Contrôles avant la confirmation. Les erreurs bloquent l'envoi ; les avertissements (minimums de
 * l'exchange) non : l'exchange tranche et la tentative est journalisée avec son message.
 * @returns {{valid: boolean, errors: Record<string, string>, warnings: string[]}}
 */
export function validateOrderForm(form, { market, lastPrice } = {}) {
  const errors = {}
  if (!market) errors.symbol = 'Choisissez un symbole dans la liste.'
  const isQuote = form.source === 'quote'
  const amount = amountError(isQuote ? form.quote : form.quantity, isQuote
    ? { feminine: false, noun: 'montant' }
    : { feminine: true, noun: 'quantité' })
  if (amount) errors[isQuote ? 'quote' : 'quantity'] = amount
  if (form.orderType === 'limit') {
    const price = amountError(form.price, { feminine: false, noun: 'prix limite' })
    if (price) errors.price = price.startsWith('Saisissez') ? 'Prix limite manquant pour un ordre limite.' : price
  }
  const warnings = []
  if (market && !Object.keys(errors).length) {
    const estimate = estimateOrder(form, { market, lastPrice })
    const minAmount = parseAmount(market.min_amount)
    const minCost = parseAmount(market.min_cost)
    if (minAmount && estimate.quantity !== null && estimate.quantity < minAmount) {
      warnings.push(`Quantité sous le minimum de ${fmtAmount(minAmount)} ${market.base} : l’exchange refusera l’ordre.`)
    }
    if (minCost && estimate.quote !== null && estimate.quote < minCost) {
      warnings.push(`Montant sous le minimum de ${fmtAmount(minCost)} ${market.quote} : l’exchange refusera l’ordre.`)
    }
  }
  return { valid: !Object.keys(errors).length, errors, warnings }
}

/** Corps de `POST /api/trading-manual/orders/`. */
export function orderPayload(form, side, { brokerId, market }) {
  const payload = { broker: brokerId, symbol: market.symbol, side, order_type: form.orderType }
  if (form.source === 'quote') payload.quote_amount = toApiNumber(form.quote)
  else payload.quantity = toApiNumber(form.quantity)
  if (form.orderType === 'limit') payload.price = toApiNumber(form.price)
  return payload
}

const fmtAmount = (value) => formatNumber(value, { decimals: 8, minDecimals: 0 })
const fmtQuote = (value, quote) => formatNumber(value, { decimals: quoteDecimals(quote) })

/** Lignes de la fenêtre de confirmation (valeurs déjà formatées en français). */
export function orderSummary(form, side, { market, lastPrice }) {
  const estimate = estimateOrder(form, { market, lastPrice })
  const isQuote = form.source === 'quote'
  return {
    side,
    sideLabel: sideLabel(side),
    symbol: market.symbol,
    typeLabel: orderTypeLabel(form.orderType),
    quantity: estimate.quantity === null ? '—' : `${isQuote ? '≈ ' : ''}${fmtAmount(estimate.quantity)} ${market.base}`,
    quote: estimate.quote === null ? '—' : `${isQuote ? '' : '≈ '}${fmtQuote(estimate.quote, market.quote)} ${market.quote}`,
    price: estimate.price === null ? '—' : `${form.orderType === 'market' ? '≈ ' : ''}${fmtQuote(estimate.price, market.quote)} ${market.quote}`,
    priceLabel: form.orderType === 'limit' ? 'Prix limite' : 'Prix (marché, dernier connu)',
    sent: isQuote ? `Montant de ${fmtQuote(estimate.quote, market.quote)} ${market.quote}` : `Quantité de ${fmtAmount(estimate.quantity)} ${market.base}`,
  }
}

/** Message de succès (toast) pour la ligne `Trade` renvoyée par l'API. */
export function tradeResultMessage(trade) {
  const [base = '', quote = ''] = String(trade.symbol ?? '').split('/')
  const side = sideLabel(trade.side)
  if (trade.status === 'filled') {
    return `${side} exécuté${trade.side === 'sell' ? 'e' : ''} : ${fmtAmount(trade.quantity)} ${base} à ${fmtQuote(trade.price, quote)} ${quote} (${fmtQuote(trade.cost, quote)} ${quote}).`
  }
  if (trade.status === 'open' || trade.status === 'partially_filled') {
    const qty = trade.requested_quantity ?? null
    const what = qty !== null ? `${fmtAmount(qty)} ${base}` : `${fmtQuote(trade.requested_quote_amount, quote)} ${quote}`
    return `Ordre limite placé : ${side.toLowerCase()} de ${what} ${trade.symbol} à ${fmtQuote(trade.requested_price, quote)} ${quote} (${statusLabel(trade.status).toLowerCase()}).`
  }
  return `Ordre ${trade.symbol} : ${statusLabel(trade.status)}.`
}
