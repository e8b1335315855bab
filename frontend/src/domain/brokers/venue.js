/**
 * Où partent les ordres d'un broker (`venue` de l'API : real, testnet, simulator, paper) : libellés.
 * Un broker Binance redirigé vers le simulateur local n'est pas un « compte réel » ; un broker
 * papier exécute ses ordres dans Aristobot, sur les prix publics réels de l'exchange.
 */

const VENUE_LABELS = {
  real: 'Comptes réels',
  testnet: 'Testnet',
  simulator: 'Simulateur local (aucun ordre réel)',
  paper: 'Papier (ordres simulés)',
}

/** Libellé d'un type de compte (la valeur brute si elle est inconnue). */
export function venueLabel(venue) {
  return VENUE_LABELS[venue] ?? String(venue ?? '')
}

/** Résumé de plusieurs types de comptes : « Comptes réels + Testnet », « Aucun broker ». */
export function venuesSummary(venues) {
  const list = Array.isArray(venues) ? venues.filter(Boolean) : []
  return list.length ? list.map(venueLabel).join(' + ') : 'Aucun broker'
}

/** Vrai si l'un des types de comptes est « papier » (pastille PAPIER de la barre de statut). */
export function hasPaperVenue(venues) {
  return Array.isArray(venues) && venues.includes('paper')
}

/** Mention du mode d'un broker dans une liste : « (papier) », « (testnet) » ou rien. */
export function brokerModeSuffix(broker) {
  if (broker?.is_paper) return ' (papier)'
  return broker?.is_testnet ? ' (testnet)' : ''
}

/** Libellé d'un broker dans un menu : « Nom · Binance ★ (papier) ». */
export function brokerOptionLabel(broker, exchangeName = '', { star = true } = {}) {
  const exchange = exchangeName ? ` · ${exchangeName}` : ''
  return `${broker?.name ?? ''}${exchange}${star && broker?.is_default ? ' ★' : ''}${brokerModeSuffix(broker)}`
}
