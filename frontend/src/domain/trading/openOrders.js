/**
 * Trading manuel : ordres ouverts (`GET /api/trading-manual/open-orders/`) et leur origine dans le
 * journal `trades` (`origin`, null pour un ordre passé hors d'Aristobot). Logique pure (testée).
 *
 * Une protection est un ordre de rôle `stop_loss` / `take_profit` : OCO, stop limite ou limite de
 * TP posés par le Trading BOT pour la position d'une stratégie (ou par une alerte webhook avec
 * `sl`/`tp`). L'annuler retire la protection posée sur l'exchange (pour une OCO, annuler une jambe
 * annule les deux) ; pour une stratégie, le moteur ne fait plus que surveiller les seuils, chaque
 * minute, et vend au marché s'ils sont franchis (backend : `trading_engine.engine.monitor`).
 */
import { formatNumber } from '../../utils/format.js'
import { orderTypeLabel, roleLabel, sideLabel } from './labels.js'

const PROTECTION_ROLES = Object.freeze(['stop_loss', 'take_profit'])
const num = (value) => formatNumber(value, { decimals: 8, minDecimals: 0 })

/** Vrai si l'ordre protège une position (SL/TP d'une stratégie ou d'un webhook). */
export const isProtection = (order) => PROTECTION_ROLES.includes(order?.origin?.role)

/** « stratégie « EMA 10/20 » », « webhook n° 12 »… : à qui appartient la protection. */
export function protectionOwner(origin) {
  if (origin?.source === 'webhook') return origin.webhook_id ? `webhook n° ${origin.webhook_id}` : 'webhook'
  if (origin?.strategy_name) return `stratégie « ${origin.strategy_name} »`
  return origin?.strategy_id ? `stratégie n° ${origin.strategy_id} (supprimée)` : 'stratégie'
}

/** Badge de la ligne : « Protection SL/TP — stratégie « EMA 10/20 » » ; '' pour un ordre ordinaire. */
export function protectionBadge(order) {
  return isProtection(order) ? `Protection SL/TP — ${protectionOwner(order.origin)}` : ''
}

/**
 * Type affiché : une jambe d'OCO (que CCXT rend comme un simple « limit ») est dite « OCO · Stop
 * loss » / « OCO · Take profit » ; un stop limite de protection « Stop loss limite » ; sinon le type
 * de l'exchange en français.
 */
export function openOrderType(order) {
  const origin = order?.origin
  if (origin?.order_type === 'oco') return `OCO · ${roleLabel(origin.role)}`
  if (isProtection(order) && origin.order_type !== 'limit') return orderTypeLabel(origin.order_type)
  return orderTypeLabel(order?.type)
}

/** « Vente OCO · Stop loss de 0,00166 BTC/USDT à 58 506 » (confirmation, message d'annulation). */
export function orderDescription(order) {
  const price = order?.price != null ? ` à ${num(order.price)}` : ''
  return `${sideLabel(order?.side)} ${openOrderType(order)} de ${num(order?.amount)} ${order?.symbol ?? ''}${price}`
}

/** Avertissement avant l'annulation d'une protection ; '' pour un ordre ordinaire. */
export function cancelWarning(order) {
  if (!isProtection(order)) return ''
  const origin = order.origin
  const what = origin.role === 'stop_loss' ? 'le stop loss' : 'le take profit'
  const oco = origin.order_type === 'oco'
    ? ' C’est une jambe d’OCO : le stop loss et le take profit seront annulés ensemble.'
    : ''
  const after = origin.source === 'strategy'
    ? 'La position restera ouverte sans protection sur l’exchange : le moteur ne fera plus que surveiller ses seuils '
      + 'SL/TP, chaque minute et seulement tant qu’il tourne, pour vendre au marché s’ils sont franchis.'
    : 'La position restera ouverte sans aucune protection : rien ne la vendra plus automatiquement.'
  const position = origin.source === 'webhook' ? `la position achetée par le ${protectionOwner(origin)}` : `la position de la ${protectionOwner(origin)}`
  return `Cet ordre est ${what} qui protège ${position}.${oco} ${after}`
}
