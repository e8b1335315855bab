import { ref, shallowRef } from 'vue'
import { listMarketSymbols } from '../api/trading.js'

/**
 * Recherche de paires d'un exchange (table partagée `market_symbols`), commune aux formulaires
 * Trading BOT et Backtest : résultats de la dernière requête seulement, frappe temporisée,
 * `symbolsMissing` vrai quand l'exchange n'a aucune paire chargée (→ « MAJ Paires de trading »).
 */
export function useSymbolSearch({ pageSize = 50, debounceMs = 250 } = {}) {
  /** @type {import('vue').ShallowRef<import('../api/trading.js').MarketSymbol[]>} */
  const symbols = shallowRef([])
  const symbolsCount = ref(0)
  const symbolsLoading = ref(false)
  const symbolsError = ref(null)
  const symbolsMissing = ref(false)
  let seqCounter = 0
  let timer = null

  async function loadSymbols(exchange, search = '') {
    const seq = ++seqCounter
    clearTimeout(timer)
    if (!exchange) {
      symbols.value = []
      symbolsCount.value = 0
      symbolsMissing.value = false
      return
    }
    symbolsLoading.value = true
    const text = String(search ?? '').trim()
    try {
      const data = await listMarketSymbols({ exchange, search: text, page: 1, pageSize })
      if (seq !== seqCounter) return
      symbols.value = data?.results ?? []
      symbolsCount.value = Number(data?.count) || 0
      symbolsMissing.value = !text && symbolsCount.value === 0
      symbolsError.value = null
    } catch (err) {
      if (seq === seqCounter) symbolsError.value = err.message
    } finally {
      if (seq === seqCounter) symbolsLoading.value = false
    }
  }

  /** Recherche relancée après une courte pause de frappe. */
  function searchSymbols(exchange, search) {
    clearTimeout(timer)
    timer = setTimeout(() => loadSymbols(exchange, search), debounceMs)
  }

  function cancelSymbolSearch() {
    clearTimeout(timer)
    timer = null
  }

  return { symbols, symbolsCount, symbolsLoading, symbolsError, symbolsMissing, loadSymbols, searchSymbols, cancelSymbolSearch }
}
