/**
 * Trading BOT : ce que disent les confirmations (Stop, Vendre), d'après l'état réel de la stratégie
 * et le comportement du moteur (logique pure, testée).
 *
 * Moteur (backend `apps/trading_engine`) :
 * - Stop = `is_active=false` + date de fin passée : la stratégie ne reçoit plus aucun signal (ni
 *   achat, ni vente sur signal) et ne peut pas être reprise (il faut l'activer de nouveau). Une
 *   position ouverte reste ouverte ; la surveillance des positions continue pour toutes les
 *   positions ouvertes, stratégie arrêtée ou non : ordres SL/TP posés sur l'exchange suivis (la
 *   position est clôturée quand l'un s'exécute), seuils « surveillés » vendus au marché s'ils sont
 *   franchis. « Vendre » reste possible.
 * - Vendre = ordres SL/TP de l'exchange annulés, puis vente au marché de toute la position ; la
 *   stratégie garde son état (une stratégie active peut reprendre position au signal suivant).
 */
import { formatPrice, quoteOf } from './pnl.js'
import { strategyState } from './state.js'

const withQuote = (value, quote) => `${formatPrice(value)}${quote ? ` ${quote}` : ''}`

/** « SL 39 000,00 USDT / TP 44 000,00 USDT » (seuils présents seulement), '' s'il n'y en a aucun. */
export function protectionLevels(position, quote = quoteOf(position?.symbol)) {
  const parts = []
  if (position?.stop_loss_price != null) parts.push(`SL ${withQuote(position.stop_loss_price, quote)}`)
  if (position?.take_profit_price != null) parts.push(`TP ${withQuote(position.take_profit_price, quote)}`)
  return parts.join(' / ')
}

/** Ce qui garde la position une fois la stratégie arrêtée (protections sur l'exchange, surveillées, aucune). */
export function positionAfterStop(position) {
  const levels = protectionLevels(position)
  if (!levels) {
    return 'La position reste ouverte, sans SL ni TP : seule « Vendre » la clôturera.'
  }
  if (position.protection_mode === 'exchange') {
    return `La position reste ouverte et ses ordres de protection (${levels}) restent posés sur l’exchange : `
      + 'le moteur continue de suivre leur exécution et clôture la position si l’un d’eux s’exécute.'
  }
  return `La position reste ouverte et ses seuils (${levels}) restent surveillés par le moteur, chaque minute : `
    + 'il vend au marché s’ils sont franchis.'
}

/** Explication du bouton Stop (la date de fin interne n'est pas montrée : c'est un détail du moteur). */
export const STOP_MEANING = 'Elle ne prendra plus aucun signal : ni achat, ni vente sur signal. L’arrêt est définitif ; '
  + 'pour la relancer, il faudra l’activer de nouveau. Pour une simple pause, préférez « Suspendre ».'

/** Ce que devient la stratégie après « Vendre », selon son état réel (active, suspendue, arrêtée…). */
export function strategyAfterSell(item, now = Date.now()) {
  const state = strategyState(item, now)
  if (state.key === 'stopped') return 'La stratégie est arrêtée : elle ne reprendra pas de position.'
  if (state.reason === 'ended') return 'La période de la stratégie est terminée : elle ne reprendra pas de position.'
  if (state.key === 'suspended') {
    return 'La stratégie reste suspendue : elle ne reprendra position qu’après « Reprendre », au signal suivant.'
  }
  if (state.reason === 'upcoming') return 'La stratégie pourra reprendre position une fois sa période commencée.'
  return 'La stratégie reste active et peut reprendre position au prochain signal.'
}

/** Ordres de protection annulés avant la vente (seulement s'ils sont posés sur l'exchange). */
export function protectionsBeforeSell(position) {
  const levels = protectionLevels(position)
  if (!levels) return ''
  return position.protection_mode === 'exchange'
    ? `Ses ordres de protection sur l’exchange (${levels}) sont d’abord annulés.`
    : ''
}
