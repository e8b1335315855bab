/**
 * Libellés français des ordres, communs à toute l'interface (tables, confirmations, messages,
 * journal des webhooks, Trading BOT) : sens, type d'ordre (ceux de CCXT, de Binance et du journal
 * `trades`), rôle d'une ligne `trades`, statut, action d'une alerte webhook. Logique pure (testée).
 *
 * Une valeur inconnue est rendue lisible (« trailing_stop » → « trailing stop ») plutôt que cachée.
 */

export const SIDE_LABELS = Object.freeze({ buy: 'Achat', sell: 'Vente' })

export const ORDER_TYPE_LABELS = Object.freeze({
  market: 'Marché',
  limit: 'Limite',
  limit_maker: 'Limite (maker)',
  stop: 'Stop',
  stop_limit: 'Stop limite',
  stop_market: 'Stop marché',
  stop_loss: 'Stop loss',
  stop_loss_limit: 'Stop loss limite',
  take_profit: 'Take profit',
  take_profit_limit: 'Take profit limite',
  take_profit_market: 'Take profit marché',
  trailing_stop: 'Stop suiveur',
  trailing_stop_market: 'Stop suiveur',
  oco: 'OCO',
})

export const ROLE_LABELS = Object.freeze({
  entry: 'Entrée',
  exit: 'Sortie',
  stop_loss: 'Stop loss',
  take_profit: 'Take profit',
  manual: 'Manuel',
})

export const STATUS_LABELS = Object.freeze({
  pending: 'En cours d’envoi',
  open: 'Ouvert',
  partially_filled: 'Partiel',
  filled: 'Exécuté',
  canceled: 'Annulé',
  error: 'Erreur',
  unknown: 'Inconnu (à vérifier)',
})

/** Action d'une alerte webhook (`buy`, `sell`, `close` = tout vendre). */
export const WEBHOOK_ACTION_LABELS = Object.freeze({ buy: 'Achat', sell: 'Vente', close: 'Clôture (tout vendre)' })

/** « STOP_LOSS_LIMIT », « stop-loss limit » → « stop_loss_limit ». */
const keyOf = (value) => String(value ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_')

function label(table, value) {
  const key = keyOf(value)
  if (!key) return '—'
  return table[key] ?? key.replace(/_/g, ' ')
}

/** « buy » → « Achat », « sell » → « Vente ». */
export const sideLabel = (side) => label(SIDE_LABELS, side)
/** « limit » → « Limite », « market » → « Marché », « stop_loss_limit » → « Stop loss limite », « oco » → « OCO »… */
export const orderTypeLabel = (type) => label(ORDER_TYPE_LABELS, type)
/** Rôle d'une ligne `trades` : « entry » → « Entrée », « stop_loss » → « Stop loss »… */
export const roleLabel = (role) => label(ROLE_LABELS, role)
/** Statut d'une ligne `trades` : « filled » → « Exécuté »… */
export const statusLabel = (status) => label(STATUS_LABELS, status)
/** Action d'une alerte webhook : « close » → « Clôture (tout vendre) ». */
export const webhookActionLabel = (action) => label(WEBHOOK_ACTION_LABELS, action)
