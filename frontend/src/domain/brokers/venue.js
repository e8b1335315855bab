/**
 * Où partent les ordres d'un broker (`venue` de l'API : real, testnet, simulator) : libellés.
 * Un broker Binance redirigé vers le simulateur local n'est pas un « compte réel ».
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
