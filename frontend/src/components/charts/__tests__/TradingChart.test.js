import { mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// Faux lightweight-charts (pas de canvas sous jsdom) : on vérifie ce que le composant lui demande.
const fake = vi.hoisted(() => ({ charts: [] }))
vi.mock('lightweight-charts', () => {
  const makeSeries = (definition, options) => ({ definition, options, data: null, applyOptions: vi.fn(), setData: vi.fn() })
  return {
    AreaSeries: 'Area', LineSeries: 'Line', BaselineSeries: 'Baseline', HistogramSeries: 'Histogram', CandlestickSeries: 'Candlestick',
    TickMarkType: { Year: 0, Month: 1, DayOfMonth: 2, Time: 3, TimeWithSeconds: 4 },
    createChart: vi.fn((el, options) => {
      const fitContent = vi.fn()
      const chart = {
        el, options, series: [], removed: [], fitContent,
        addSeries: vi.fn((definition, opts) => {
          const s = makeSeries(definition, opts)
          chart.series.push(s)
          return s
        }),
        removeSeries: vi.fn((s) => chart.removed.push(s)),
        applyOptions: vi.fn(),
        timeScale: () => ({ fitContent }),
        remove: vi.fn(),
      }
      fake.charts.push(chart)
      return chart
    }),
    createSeriesMarkers: vi.fn((series, markers) => {
      series.markers = { list: markers, setMarkers: vi.fn((m) => (series.markers.list = m)) }
      return series.markers
    }),
  }
})

const { default: TradingChart } = await import('../TradingChart.vue')

describe('TradingChart', () => {
  beforeEach(() => {
    fake.charts = []
    document.documentElement.style.setProperty('--color-profit', '#00FF88')
    document.documentElement.style.setProperty('--color-loss', '#FF0055')
    document.documentElement.style.setProperty('--color-primary', '#00D4FF')
  })
  afterEach(() => {
    document.documentElement.removeAttribute('style')
    delete document.documentElement.dataset.theme
  })

  it('crée les séries, normalise les données, pose les marqueurs', () => {
    const wrapper = mount(TradingChart, {
      props: {
        series: [
          { id: 'prix', type: 'candlestick', data: [{ time: '2026-01-06T00:01:00Z', open: 1, high: 2, low: 0.5, close: 1.5 }, { time: 1767657600, open: 1, high: 1, low: 1, close: 1 }],
            markers: [{ time: 1767657660000, position: 'belowBar', shape: 'arrowUp', color: 'profit', text: 'Achat' }] },
          { id: 'ema', type: 'line', color: 'primary', data: [{ time: 1767657600, value: 1 }] },
        ],
      },
    })
    const chart = fake.charts[0]
    expect(chart.options.autoSize).toBe(true)
    const [candles, line] = chart.series
    expect(candles.definition).toBe('Candlestick')
    expect(candles.options).toMatchObject({ upColor: '#00FF88', downColor: '#FF0055' })
    expect(candles.setData).toHaveBeenCalledWith([
      { time: 1767657600, open: 1, high: 1, low: 1, close: 1 },
      { time: 1767657660, open: 1, high: 2, low: 0.5, close: 1.5 },
    ])
    expect(candles.markers.list).toEqual([{ time: 1767657660, position: 'belowBar', shape: 'arrowUp', color: '#00FF88', text: 'Achat' }])
    expect(line.options.color).toBe('#00D4FF')
    expect(wrapper.find('[data-testid="chart-empty"]').exists()).toBe(false)
    wrapper.unmount()
    expect(chart.remove).toHaveBeenCalled()
  })

  it('met à jour, remplace ou retire les séries quand la prop change', async () => {
    const data = [{ time: 1, value: 1 }]
    const wrapper = mount(TradingChart, { props: { series: [{ id: 'a', type: 'area', data }, { id: 'b', type: 'line', data }] } })
    const chart = fake.charts[0]
    const [a, b] = chart.series
    await wrapper.setProps({ series: [{ id: 'a', type: 'area', data, color: 'loss' }] })
    expect(a.setData).toHaveBeenCalledTimes(1) // mêmes données : pas de rechargement
    expect(a.applyOptions).toHaveBeenLastCalledWith(expect.objectContaining({ lineColor: '#FF0055' }))
    expect(chart.removed).toEqual([b])
    await wrapper.setProps({ series: [{ id: 'a', type: 'histogram', data: [{ time: 2, value: 3 }] }] })
    expect(chart.removed).toContain(a)
    expect(chart.series.at(-1).definition).toBe('Histogram')
    expect(chart.fitContent).toHaveBeenCalled()
  })

  it('état vide en français, et nouveau thème appliqué via data-theme', async () => {
    const wrapper = mount(TradingChart, { props: { series: [{ id: 'a', type: 'area', data: [] }], emptyText: 'Rien à afficher.' } })
    expect(wrapper.find('[data-testid="chart-empty"]').text()).toBe('Rien à afficher.')
    const chart = fake.charts[0]
    document.documentElement.style.setProperty('--color-primary', '#0086B3')
    document.documentElement.dataset.theme = 'light'
    await nextTick()
    await new Promise((resolve) => setTimeout(resolve, 0)) // MutationObserver
    expect(chart.applyOptions).toHaveBeenCalled()
    expect(chart.series[0].applyOptions).toHaveBeenLastCalledWith(expect.objectContaining({ lineColor: '#0086B3' }))
    wrapper.unmount()
  })
})
