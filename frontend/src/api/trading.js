import { http } from './client.js'

/**
 * Trading manuel : ordres, portefeuille et ordres ouverts (`/api/trading-manual/…`), plus les
 * lectures d'exchange d'un broker dont la page a besoin (ticker, annulation), les paires partagées
 * (`/api/market-symbols/`) et le journal des trades manuels (`/api/trades/`).
 * La liste des brokers vient de `api/brokers.js`.
 *
 * @typedef {{asset: string, free: number, used: number, total: number, usd_price: number|null,
 *   usd_value: number|null}} PortfolioRow
 * @typedef {{broker: {id: number, name: string, exchange: string, is_testnet: boolean},
 *   exchange: string, balances: PortfolioRow[], total_usd: number, fetched_at: string}} Portfolio
 * @typedef {{id: number, exchange: string, symbol: string, exchange_symbol: string, base: string,
 *   quote: string, active: boolean, amount_precision: string|null, price_precision: string|null,
 *   min_amount: string|null, min_cost: string|null}} MarketSymbol
 * @typedef {{symbol: string, last: number|null, bid: number|null, ask: number|null,
 *   timestamp: number|null}} Ticker
 * @typedef {{source: 'manual'|'strategy'|'webhook', role: string, order_type: string,
 *   strategy_id: number|null, strategy_name: string|null, active_strategy_id: number|null,
 *   webhook_id: number|null}} OrderOrigin
 * @typedef {{id: string, client_order_id: string, symbol: string, side: 'buy'|'sell', type: string,
 *   status: string, price: number|null, amount: number|null, filled: number|null,
 *   remaining: number|null, timestamp: number|null, origin: OrderOrigin|null}} OpenOrder
 * @typedef {{id: number, broker: number|null, symbol: string, side: 'buy'|'sell', order_type: string,
 *   requested_quantity: string|null, requested_quote_amount: string|null, requested_price: string|null,
 *   quantity: string, price: string|null, cost: string, status: string, error_message: string,
 *   created_at: string, executed_at: string|null}} Trade
 */

/**
 * Passe un ordre. Refus (400) : `ApiError` dont `data.trade` est la tentative enregistrée.
 * @param {{broker?: number, symbol: string, side: 'buy'|'sell', order_type: 'market'|'limit',
 *   quantity?: string, quote_amount?: string, price?: string}} payload
 * @returns {Promise<Trade>}
 */
export const placeOrder = (payload) => http.post('trading-manual/orders/', payload)

/** Solde valorisé (broker par défaut si `brokerId` est vide). @returns {Promise<Portfolio>} */
export const fetchPortfolio = (brokerId) => http.get('trading-manual/portfolio/', { query: { broker: brokerId } })

/** @returns {Promise<Ticker>} */
export const fetchTicker = (brokerId, symbol, { signal } = {}) =>
  http.get(`brokers/${brokerId}/ticker/`, { query: { symbol }, signal })

/**
 * Ordres ouverts du broker (tous les symboles si `symbol` est vide), chacun avec son origine dans le
 * journal `trades` (protections SL/TP d'une stratégie). @returns {Promise<OpenOrder[]>}
 */
export const fetchOpenOrders = (brokerId, symbol) =>
  http.get('trading-manual/open-orders/', { query: { broker: brokerId, symbol } })

/**
 * Rattrape le journal du broker (POST : les lectures n'écrivent jamais) : lignes `trades` encore
 * ouvertes dont l'ordre a été exécuté ou annulé depuis ; broker papier : ordres limites croisés
 * exécutés d'abord. À relire ensuite (portefeuille, ordres ouverts, trades).
 * @returns {Promise<{broker: number, synced: number, synced_at: string}>}
 */
export const syncJournal = (brokerId) => http.post('trading-manual/sync/', { broker: brokerId })

/** @returns {Promise<OpenOrder>} */
export const cancelOrder = (brokerId, orderId, symbol) =>
  http.post(`brokers/${brokerId}/orders/${encodeURIComponent(orderId)}/cancel/`, { symbol })

/**
 * Paires d'un exchange (table partagée, remplie par « MAJ Paires de trading »).
 * @returns {Promise<{count: number, next: string|null, previous: string|null, results: MarketSymbol[]}>}
 */
export const listMarketSymbols = ({ exchange, search, page, pageSize }, { signal } = {}) =>
  http.get('market-symbols/', {
    query: { exchange, search, page, page_size: pageSize, active: 'true' },
    signal,
  })

/** Derniers trades manuels du broker (échecs compris). @returns {Promise<{count: number, results: Trade[]}>} */
export const listManualTrades = (brokerId, { pageSize = 20 } = {}) =>
  http.get('trades/', { query: { source: 'manual', broker: brokerId, page_size: pageSize } })
