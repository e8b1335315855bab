import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import * as api from '../api/trading.js'
import { clampPage, DEFAULT_PAGE_SIZE, normalizePageSize, pageAfterResize } from '../utils/pagination.js'
import { tradeResultMessage } from '../domain/trading/order.js'
import { useBrokersStore } from './brokers.js'

/** Relecture du dernier prix tant que la page est ouverte (et visible). */
export const TICKER_POLL_MS = 3000
export const SEARCH_DEBOUNCE_MS = 250
export const RECENT_TRADES = 20

/**
 * Trading manuel : broker choisi (défaut pré-sélectionné), portefeuille, paires de l'exchange
 * (recherche + pagination), symbole choisi et son prix relu toutes les TICKER_POLL_MS, ordres
 * ouverts, derniers trades manuels, envoi et annulation d'ordres. À l'ouverture, à « Actualiser »
 * et après un ordre, le journal est rattrapé (POST) puis relu (`refresh`). Les réponses arrivées après un
 * changement de broker ou de symbole sont ignorées.
 */
export const useTradingStore = defineStore('trading', () => {
  const brokersStore = useBrokersStore()

  const brokerId = ref(null)
  const broker = computed(() => brokersStore.brokers.find((b) => b.id === brokerId.value) ?? null)

  /** @type {import('vue').ShallowRef<import('../api/trading.js').Portfolio|null>} */
  const portfolio = shallowRef(null)
  const portfolioLoading = ref(false)
  const portfolioError = ref(null)

  /** @type {import('vue').ShallowRef<import('../api/trading.js').MarketSymbol[]>} */
  const symbols = shallowRef([])
  const symbolsCount = ref(0)
  const symbolsLoading = ref(false)
  const symbolsLoaded = ref(false)
  const symbolsError = ref(null)
  const search = ref('')
  const page = ref(1)
  const pageSize = ref(DEFAULT_PAGE_SIZE)
  /** @type {import('vue').ShallowRef<import('../api/trading.js').MarketSymbol|null>} */
  const selectedSymbol = shallowRef(null)

  /** @type {import('vue').ShallowRef<(import('../api/trading.js').Ticker & {receivedAt: number})|null>} */
  const ticker = shallowRef(null)
  const tickerError = ref(null)

  /** @type {import('vue').ShallowRef<import('../api/trading.js').OpenOrder[]>} */
  const openOrders = shallowRef([])
  const openOrdersLoading = ref(false)
  const openOrdersError = ref(null)

  /** @type {import('vue').ShallowRef<import('../api/trading.js').Trade[]>} */
  const trades = shallowRef([])
  const tradesLoading = ref(false)
  const tradesError = ref(null)

  const placing = ref(false)
  const syncError = ref(null)

  let tickerTimer = null
  let tickerInFlight = false
  let searchTimer = null
  let symbolsSeq = 0

  /** Dernier prix du symbole choisi (null tant qu'il n'est pas connu). */
  const lastPrice = computed(() => {
    const t = ticker.value
    return t && selectedSymbol.value && t.symbol === selectedSymbol.value.symbol ? t.last : null
  })
  /** Solde disponible d'un actif dans le portefeuille (0 s'il est absent). */
  const freeBalance = (asset) => portfolio.value?.balances?.find((row) => row.asset === asset)?.free ?? 0

  // --- lectures liées au broker --------------------------------------------------------------

  /** Numéro de la dernière lecture lancée, par liste (une réponse plus ancienne est ignorée). */
  const latest = new Map()

  /**
   * Exécute `loader(id)` et n'applique le résultat que si le broker n'a pas changé entre-temps ET
   * qu'aucune lecture plus récente de la même liste n'a été lancée : après une annulation, la
   * réponse lente d'une lecture d'avant ne doit pas remettre l'ordre « ouvert » à l'écran.
   */
  async function forBroker(loading, error, loader, apply) {
    const id = brokerId.value
    if (!id) return
    const seq = (latest.get(loading) ?? 0) + 1
    latest.set(loading, seq)
    const current = () => id === brokerId.value && latest.get(loading) === seq
    loading.value = true
    try {
      const data = await loader(id)
      if (!current()) return
      apply(data)
      error.value = null
    } catch (err) {
      if (current()) error.value = err.message
    } finally {
      if (current()) loading.value = false
    }
  }

  const refreshPortfolio = () =>
    forBroker(portfolioLoading, portfolioError, api.fetchPortfolio, (data) => {
      portfolio.value = data
    })

  const refreshOpenOrders = () =>
    forBroker(openOrdersLoading, openOrdersError, (id) => api.fetchOpenOrders(id), (data) => {
      openOrders.value = Array.isArray(data) ? [...data].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0)) : []
    })

  const refreshTrades = () =>
    forBroker(tradesLoading, tradesError, (id) => api.listManualTrades(id, { pageSize: RECENT_TRADES }), (data) => {
      trades.value = (data?.results ?? []).slice(0, RECENT_TRADES)
    })

  /** Lectures de tout ce qu'un ordre (ou un rattrapage) change : solde, ordres ouverts, journal. */
  const refreshReads = () => Promise.all([refreshPortfolio(), refreshOpenOrders(), refreshTrades()])

  /**
   * Rattrapage du journal (`POST /api/trading-manual/sync/` : les GET n'écrivent jamais), lancé en
   * même temps que les lectures ; si des lignes ont été relues (ordre exécuté ou annulé depuis,
   * limite papier croisée), tout est relu. Un rattrapage refusé (exchange, 429) n'empêche pas
   * les lectures : son message est dans `syncError`.
   */
  async function refresh() {
    const id = brokerId.value
    if (!id) return
    const reads = refreshReads()
    let synced = 0
    try {
      synced = Number((await api.syncJournal(id))?.synced) || 0
      if (id === brokerId.value) syncError.value = null
    } catch (err) {
      if (id === brokerId.value) syncError.value = `Journal non rattrapé : ${err.message}`
    }
    await reads
    if (synced > 0 && id === brokerId.value) await refreshReads()
  }

  // --- symboles --------------------------------------------------------------------------------

  async function loadSymbols() {
    const exchange = broker.value?.exchange
    if (!exchange) return
    const seq = ++symbolsSeq
    symbolsLoading.value = true
    try {
      const data = await api.listMarketSymbols({ exchange, search: search.value.trim(), page: page.value, pageSize: pageSize.value })
      if (seq !== symbolsSeq) return
      symbols.value = data?.results ?? []
      symbolsCount.value = Number(data?.count) || 0
      symbolsError.value = null
      symbolsLoaded.value = true
    } catch (err) {
      if (seq !== symbolsSeq) return
      if (err.status === 404 && page.value > 1) {
        page.value = 1 // page disparue (la liste a rétréci) : retour au début
        return loadSymbols()
      }
      symbolsError.value = err.message
    } finally {
      if (seq === symbolsSeq) symbolsLoading.value = false
    }
  }

  /** Recherche (relancée après une courte pause de frappe), depuis la première page. */
  function setSearch(text) {
    search.value = String(text ?? '')
    page.value = 1
    clearTimeout(searchTimer)
    searchTimer = setTimeout(loadSymbols, SEARCH_DEBOUNCE_MS)
  }

  function setPage(value) {
    page.value = clampPage(value, symbolsCount.value, pageSize.value)
    return loadSymbols()
  }

  function setPageSize(value) {
    const size = normalizePageSize(value)
    page.value = pageAfterResize({ page: page.value, pageSize: pageSize.value }, size)
    pageSize.value = size
    return loadSymbols()
  }

  // --- symbole choisi et dernier prix ----------------------------------------------------------

  async function refreshTicker() {
    const id = brokerId.value
    const symbol = selectedSymbol.value?.symbol
    if (!id || !symbol || tickerInFlight || globalThis.document?.hidden) return
    tickerInFlight = true
    try {
      const data = await api.fetchTicker(id, symbol)
      if (id === brokerId.value && symbol === selectedSymbol.value?.symbol) {
        ticker.value = { ...data, symbol: data?.symbol ?? symbol, receivedAt: Date.now() }
        tickerError.value = null
      }
    } catch (err) {
      if (id === brokerId.value && symbol === selectedSymbol.value?.symbol) tickerError.value = err.message
    } finally {
      tickerInFlight = false
    }
  }

  function stopTicker() {
    clearInterval(tickerTimer)
    tickerTimer = null
  }

  function startTicker() {
    stopTicker()
    if (!selectedSymbol.value) return Promise.resolve()
    tickerTimer = setInterval(refreshTicker, TICKER_POLL_MS)
    return refreshTicker()
  }

  function selectSymbol(row) {
    if (row?.symbol === selectedSymbol.value?.symbol && tickerTimer) return Promise.resolve()
    selectedSymbol.value = row ?? null
    ticker.value = null
    tickerError.value = null
    return startTicker()
  }

  // --- broker ------------------------------------------------------------------------------------

  async function selectBroker(id) {
    const previousExchange = broker.value?.exchange
    brokerId.value = id ?? null
    portfolio.value = null
    openOrders.value = []
    trades.value = []
    ;[portfolioError, openOrdersError, tradesError, symbolsError, syncError].forEach((e) => {
      e.value = null
    })
    if (broker.value?.exchange !== previousExchange) {
      selectedSymbol.value = null
      symbols.value = []
      symbolsCount.value = 0
      symbolsLoaded.value = false
      page.value = 1
    }
    ticker.value = null
    await Promise.all([refresh(), loadSymbols(), startTicker()])
  }

  /** Le broker marqué par défaut, sinon le premier. */
  function defaultBrokerId() {
    return (brokersStore.defaultBroker ?? brokersStore.brokers[0])?.id ?? null
  }

  /** À l'ouverture de la page : brokers relus, broker courant gardé s'il existe encore. */
  async function start() {
    await brokersStore.load()
    const keep = brokersStore.brokers.some((b) => b.id === brokerId.value)
    const id = keep ? brokerId.value : defaultBrokerId()
    if (id) await selectBroker(id)
    else brokerId.value = null
  }

  function stop() {
    stopTicker()
    clearTimeout(searchTimer)
    searchTimer = null
  }

  // --- ordres ------------------------------------------------------------------------------------

  /** Après un ordre ou une annulation : rattrapage du journal et relecture. */
  const refreshAfterOrder = () => refresh()

  /**
   * Envoie un ordre ; ne lève pas : `{ok, trade, message}` avec le message français de l'API en
   * cas de refus (la tentative refusée est dans `trade` et dans le journal).
   */
  async function placeOrder(payload) {
    placing.value = true
    try {
      const trade = await api.placeOrder(payload)
      return { ok: true, trade, message: tradeResultMessage(trade) }
    } catch (err) {
      return { ok: false, trade: err.data?.trade ?? null, message: err.message, status: err.status }
    } finally {
      placing.value = false
      refreshAfterOrder()
    }
  }

  /** Annule un ordre ouvert (lève l'`ApiError` en cas de refus). */
  async function cancelOpenOrder(order) {
    const result = await api.cancelOrder(brokerId.value, order.id, order.symbol)
    await refreshAfterOrder()
    return result
  }

  return {
    brokerId,
    broker,
    portfolio,
    portfolioLoading,
    portfolioError,
    symbols,
    symbolsCount,
    symbolsLoading,
    symbolsLoaded,
    symbolsError,
    search,
    page,
    pageSize,
    selectedSymbol,
    ticker,
    tickerError,
    lastPrice,
    openOrders,
    openOrdersLoading,
    openOrdersError,
    trades,
    tradesLoading,
    tradesError,
    placing,
    syncError,
    freeBalance,
    start,
    stop,
    selectBroker,
    refreshPortfolio,
    refreshOpenOrders,
    refreshTrades,
    refresh,
    loadSymbols,
    setSearch,
    setPage,
    setPageSize,
    selectSymbol,
    refreshTicker,
    placeOrder,
    cancelOpenOrder,
  }
})
