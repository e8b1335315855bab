import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { useBacktestStore } from '../../../stores/backtest.js'
import { useStrategiesStore } from '../../../stores/strategies.js'
import BacktestOptimizeGrid from '../BacktestOptimizeGrid.vue'
import BacktestOptimizeHeatmap from '../BacktestOptimizeHeatmap.vue'
import BacktestOptimizeProgress from '../BacktestOptimizeProgress.vue'
import BacktestOptimizeSummary from '../BacktestOptimizeSummary.vue'
import BacktestOptimizeTable from '../BacktestOptimizeTable.vue'

const run = (fast, slow, sharpe, pnl) => ({ params: { fast, slow }, stats: { sharpe_ratio: sharpe, total_pnl_pct: pnl, max_drawdown_pct: 3 }, lookahead_detected: false, errors_count: 0, message: '' })
const RESULT = {
  metric: 'sharpe_ratio',
  grid: { fast: [5, 10], slow: [20, 30] },
  total_runs: 4, workers: 2, train_candles: 700, test_candles: 300, elapsed_s: 2.5,
  runs: [run(5, 20, 1, 9), run(5, 30, 2, 1), run(10, 20, 0.5, 20), { params: { fast: 10, slow: 30 }, error: 'Exception dans next()' }],
  best: { params: { fast: 5, slow: 30 }, stats: { sharpe_ratio: 2, total_pnl_pct: 1 }, value: 2, test_stats: { sharpe_ratio: -0.5, total_pnl_pct: -4 } },
}
const rowIndexes = (wrapper) => wrapper.findAll('[data-testid="opt-run-row"]').map((tr) => Number(tr.attributes('data-index')))

describe('composants de l’optimisation', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('tableau : trié par la métrique optimisée, meilleur surligné, erreur signalée, tri par une autre colonne, Appliquer', async () => {
    const wrapper = mount(BacktestOptimizeTable, { props: { result: RESULT } })
    expect(rowIndexes(wrapper)).toEqual([2, 1, 3, 4])
    expect(wrapper.find('[data-best="true"]').attributes('data-index')).toBe('2')
    expect(wrapper.find('[data-testid="opt-flag-error"]').attributes('title')).toBe('Exception dans next()')
    await wrapper.find('[data-testid="opt-sort-total_pnl_pct"]').trigger('click')
    expect(rowIndexes(wrapper)).toEqual([3, 1, 2, 4])
    await wrapper.find('[data-testid="opt-sort-total_pnl_pct"]').trigger('click')
    expect(rowIndexes(wrapper)).toEqual([2, 1, 3, 4]) // croissant, l'erreur reste en bas
    await wrapper.find('[data-testid="opt-sort-max_drawdown_pct"]').trigger('click')
    await wrapper.find('[data-testid="opt-apply"]').trigger('click')
    expect(wrapper.emitted('apply')[0][0]).toEqual(RESULT.runs[0].params)
    expect(wrapper.find('[data-testid="opt-sort-fees_paid"]').exists()).toBe(false)
    await wrapper.find('[data-testid="opt-all-metrics"]').setValue(true)
    expect(wrapper.find('[data-testid="opt-sort-fees_paid"]').exists()).toBe(true)
  })

  it('carte de chaleur : cases colorées, case vide, légende ; un clic choisit une case à appliquer', async () => {
    const wrapper = mount(BacktestOptimizeHeatmap, { props: { result: RESULT } })
    const grid = wrapper.find('[data-testid="opt-heat-grid"]')
    expect([grid.attributes('data-cols'), grid.attributes('data-rows')]).toEqual(['2', '2'])
    const cells = wrapper.findAll('[data-testid="opt-heat-cell"]')
    expect(cells.map((c) => c.attributes('data-value'))).toEqual(['1', '0.5', '2', ''])
    expect(cells[3].attributes('title')).toMatch(/aucun run retenable/)
    expect(cells[2].attributes('title')).toBe('fast = 5 · slow = 30 : Sharpe 2,00')
    expect(wrapper.find('[data-testid="opt-heat-legend"]').text()).toContain('0,50')
    await cells[2].trigger('click')
    await wrapper.find('[data-testid="opt-heat-apply"]').trigger('click')
    expect(wrapper.emitted('apply')[0][0]).toEqual({ fast: 5, slow: 30 })
  })

  it('meilleur run : stratégie modifiée depuis l’optimisation → avertissement avant « Appliquer »', async () => {
    const optimization = { id: 7, strategy_name: 'EMA', symbol: 'BTC/USDT', timeframe: '1h', start_date: '2025-01-01T00:00:00Z', end_date: '2025-02-01T00:00:00Z', metric: 'sharpe_ratio', result: RESULT }
    const wrapper = mount(BacktestOptimizeSummary, { props: { optimization } })
    expect(wrapper.find('[data-testid="opt-stale"]').exists()).toBe(false)
    await wrapper.setProps({ staleWarning: 'La stratégie a été modifiée depuis cette optimisation.' })
    expect(wrapper.find('[data-testid="opt-stale"]').text()).toContain('modifiée depuis cette optimisation')
  })

  it('carte de chaleur : un seul paramètre varie (l’autre fixe) → note et barres', () => {
    const single = { metric: 'sharpe_ratio', grid: { fast: [5, 10], slow: [25] }, runs: [{ params: { fast: 5, slow: 25 }, stats: { sharpe_ratio: 1 } }, { params: { fast: 10, slow: 25 }, stats: { sharpe_ratio: 2 } }], best: null }
    const wrapper = mount(BacktestOptimizeHeatmap, { props: { result: single } })
    expect(wrapper.find('[data-testid="opt-heat-single"]').text()).toMatch(/Un seul paramètre varie/)
    expect(wrapper.find('[data-testid="opt-heat-grid"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="opt-heat-y"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="opt-heat-bars"] .bt-optimize-heatmap__bar')).toHaveLength(2)
  })

  it('meilleur run : paramètres, entraînement et hors échantillon côte à côte, avertissement', async () => {
    const optimization = { id: 7, strategy_name: 'EMA', symbol: 'BTC/USDT', timeframe: '1h', start_date: '2025-01-01T00:00:00Z', end_date: '2025-02-01T00:00:00Z', metric: 'sharpe_ratio', result: RESULT }
    const wrapper = mount(BacktestOptimizeSummary, { props: { optimization } })
    expect(wrapper.find('[data-testid="opt-best-params"]').text()).toBe('fast = 5 · slow = 30')
    expect(wrapper.find('[data-testid="opt-best-stats"]').text()).toContain('Hors échantillon')
    expect(wrapper.find('[data-testid="opt-overfit"]').text()).toMatch(/Sharpe tombe de 2,00 à −?-?0,50/)
    await wrapper.find('[data-testid="opt-apply-best"]').trigger('click')
    expect(wrapper.emitted('apply')[0][0]).toEqual({ fast: 5, slow: 30 })
  })

  it('progression : « 12 / 42 backtests », Annuler pendant le calcul', async () => {
    const state = { id: 7, status: 'running', phase: 'compute', download: 100, compute: 28, runsDone: 12, runsTotal: 42, message: '', error: '' }
    const wrapper = mount(BacktestOptimizeProgress, { props: { run: state } })
    expect(wrapper.find('[data-testid="opt-runs"]').text()).toBe('12 / 42 backtests')
    await wrapper.find('[data-testid="opt-cancel"]').trigger('click')
    expect(wrapper.emitted('cancel')).toHaveLength(1)
    await wrapper.setProps({ run: { ...state, status: 'error', error: 'Aucune bougie sur la période' } })
    expect(wrapper.find('[data-testid="opt-cancel"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="opt-error"]').text()).toBe('Aucune bougie sur la période')
  })

  it('grille : lignes des paramètres, compte en direct, erreurs ; stratégie sans paramètre expliquée', async () => {
    const strategies = useStrategiesStore()
    strategies.items = [
      { id: 3, name: 'EMA', parameters: [{ name: 'fast', type: 'int', default: 10 }, { name: 'slow', type: 'int', default: 20 }] },
      { id: 4, name: 'Vide', parameters: [] },
    ]
    useBacktestStore().form.strategyId = 3
    const wrapper = mount(BacktestOptimizeGrid, { global: { stubs: { RouterLink: true } } })
    expect(wrapper.find('[data-testid="opt-row-fast"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="opt-count"]').attributes('data-count')).toBe('42')
    await wrapper.find('[data-testid="opt-start-fast"]').setValue('10')
    await wrapper.find('[data-testid="opt-stop-fast"]').setValue('11')
    await wrapper.find('[data-testid="opt-step-fast"]').setValue('1')
    expect(wrapper.find('[data-testid="opt-count"]').text()).toBe('14 combinaisons = 14 backtests')
    await wrapper.find('[data-testid="opt-step-fast"]').setValue('-1')
    expect(wrapper.find('[data-testid="opt-grid-errors"]').text()).toContain('le pas doit être strictement positif')
    expect(wrapper.find('[data-testid="opt-launch"]').attributes('disabled')).toBeDefined()
    useBacktestStore().form.strategyId = 4
    await wrapper.vm.$nextTick()
    expect(wrapper.find('[data-testid="opt-no-params"]').text()).toContain('fast = 10')
  })
})
