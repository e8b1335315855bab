/**
 * Trading BOT : chiffres d'une position et P&L d'une stratégie active (logique pure, testée).
 * L'API envoie les montants en chaînes décimales (« 60123.45 ») ou null.
 */

/** « 1.5 » | 1.5 → 1.5 ; null, vide ou illisible → null. */
export function toNumber(value) {
  if (value === null || value === undefined || value === '') return null
  const n = typeof value === 'number' ? value : Number(value)
  return Number.isFinite(n) ? n : null
}

/** Devise de cotation d'un symbole CCXT (« BTC/USDT » → « USDT », « BTC/USDT:USDT » → « USDT »). */
export const quoteOf = (symbol) => String(symbol ?? '').split('/')[1]?.split(':')[0] ?? ''
/** Actif de base (« BTC/USDT » → « BTC »). */
export const baseOf = (symbol) => String(symbol ?? '').split('/')[0] ?? ''

/** 'profit' | 'loss' | 'flat' (null ou 0 → flat) : classe de couleur. */
export function pnlTone(value) {
  const n = toNumber(value)
  if (n === null || n === 0) return 'flat'
  return n > 0 ? 'profit' : 'loss'
}

/** Somme des P&L réalisés (`profit_loss`) d'une liste de trades ; 0 si aucun. */
export function sumTradesPnl(trades) {
  return (trades ?? []).reduce((sum, trade) => sum + (toNumber(trade?.profit_loss) ?? 0), 0)
}

/**
 * Chiffres d'une position ouverte : valeur au dernier prix, P&L latent (celui du moteur, sinon
 * recalculé : quantité × dernier prix − coût d'entrée) et en pourcentage du coût d'entrée.
 * @returns {null | {quantity: number, entry: number|null, last: number|null, price: number|null,
 *   cost: number|null, value: number|null, unrealized: number|null, unrealizedPct: number|null,
 *   stopLoss: number|null, takeProfit: number|null}}
 */
export function positionMetrics(position) {
  if (!position || position.status !== 'open') return null
  const quantity = toNumber(position.quantity) ?? 0
  const entry = toNumber(position.entry_price)
  const last = toNumber(position.last_price)
  const price = last ?? entry
  const cost = toNumber(position.entry_cost) || (entry !== null ? entry * quantity : null)
  const value = price !== null ? quantity * price : null
  let unrealized = toNumber(position.unrealized_pnl)
  if (unrealized === null && last !== null && cost !== null) unrealized = quantity * last - cost
  const unrealizedPct = unrealized !== null && cost ? unrealized / cost : null
  return {
    quantity,
    entry,
    last,
    price,
    cost,
    value,
    unrealized,
    unrealizedPct,
    stopLoss: toNumber(position.stop_loss_price),
    takeProfit: toNumber(position.take_profit_price),
  }
}

/**
 * P&L d'une stratégie active : réalisé (cumul du serveur, sinon somme des trades connus), latent
 * (position ouverte) et total.
 */
export function strategyPnl(item) {
  const realized = toNumber(item?.realized_pnl) ?? sumTradesPnl(item?.recent_trades)
  const unrealized = positionMetrics(item?.position)?.unrealized ?? null
  return { realized, unrealized, total: realized + (unrealized ?? 0) }
}

/** Totaux de la page : positions ouvertes, P&L réalisé et latent cumulés (toutes stratégies). */
export function pnlTotals(items) {
  let realized = 0
  let unrealized = 0
  let openPositions = 0
  for (const item of items ?? []) {
    const pnl = strategyPnl(item)
    realized += pnl.realized
    if (pnl.unrealized !== null) unrealized += pnl.unrealized
    if (item?.position?.status === 'open') openPositions += 1
  }
  return { realized, unrealized, total: realized + unrealized, openPositions }
}

/** Estimation d'une vente au marché de la position (fenêtre de confirmation « Vendre »). */
export function sellEstimate(item) {
  const metrics = positionMetrics(item?.position)
  if (!metrics) return null
  return {
    symbol: item.position.symbol ?? item.symbol,
    base: baseOf(item.position.symbol ?? item.symbol),
    quote: quoteOf(item.position.symbol ?? item.symbol),
    quantity: metrics.quantity,
    price: metrics.price,
    value: metrics.value,
    unrealized: metrics.unrealized,
    priceIsEntry: metrics.last === null,
  }
}

/** Montant signé pour l'affichage (« +1,2345 USDT », « -0,50 USDT », « — » si inconnu). */
export function formatPnl(value, quote = '', { decimals = 4, minDecimals = 2 } = {}) {
  const n = toNumber(value)
  if (n === null) return '—'
  const sign = n > 0 ? '+' : n < 0 ? '-' : ''
  const text = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: minDecimals, maximumFractionDigits: decimals }).format(Math.abs(n))
  return `${sign}${text}${quote ? ` ${quote}` : ''}`
}

/** Prix lisible quel que soit l'ordre de grandeur (2 décimales au-dessus de 1, sinon jusqu'à 8). */
export function formatPrice(value) {
  const n = toNumber(value)
  if (n === null) return '—'
  return new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: Math.abs(n) >= 1 ? 2 : 8 }).format(n)
}

/** Quantité d'actif (jusqu'à 8 décimales, sans zéros inutiles). */
export function formatQuantity(value) {
  const n = toNumber(value)
  if (n === null) return '—'
  return new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 0, maximumFractionDigits: 8 }).format(n)
}

/** Montant en devise de cotation (2 décimales). */
export function formatAmount(value) {
  const n = toNumber(value)
  if (n === null) return '—'
  return new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)
}
