import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import { beforeEach, describe, expect, it, vi } from 'vitest'

// Faux lightweight-charts (pas de canvas sous jsdom) : données reçues et réticule simulé.
const fake = vi.hoisted(() => ({ charts: [] }))
vi.mock('lightweight-charts', () => ({
  AreaSeries: 'Area', LineSeries: 'Line', BaselineSeries: 'Baseline', HistogramSeries: 'Histogram', CandlestickSeries: 'Candlestick',
  TickMarkType: { Year: 0, Month: 1, DayOfMonth: 2, Time: 3, TimeWithSeconds: 4 },
  createChart: vi.fn(() => {
    const chart = {
      series: [], crosshair: [],
      addSeries: vi.fn(() => {
        const series = { applyOptions: vi.fn(), setData: vi.fn((data) => (series.data = data)) }
        chart.series.push(series)
        return series
      }),
      subscribeCrosshairMove: vi.fn((fn) => chart.crosshair.push(fn)),
      removeSeries: vi.fn(), applyOptions: vi.fn(), timeScale: () => ({ fitContent: vi.fn() }), remove: vi.fn(),
    }
    fake.charts.push(chart)
    return chart
  }),
  createSeriesMarkers: vi.fn(),
}))

const { default: StatsBalanceChart } = await import('../StatsBalanceChart.vue')

const H = 3600
const T0 = 1767607200 // 2026-01-05T10:00:00Z
const iso = (s) => new Date(s * 1000).toISOString()
const point = (i, total, brokers, assets = []) => ({
  time: iso(T0 + i * H), timestamp: T0 + i * H, taken_at: iso(T0 + i * H + 4), total_usd: total,
  assets, others_count: 0, others_usd: '0', brokers,
})
const HISTORY = {
  interval: 'hour', timezone: 'UTC', kind: 'balance', snapshot_minutes: 60,
  brokers: [{ id: 1, name: 'Principal' }, { id: 2, name: 'Secondaire' }],
  points: [
    point(0, '1500', [{ broker_id: 1, total_usd: '1000', error: null }, { broker_id: 2, total_usd: '500', error: null }],
      [{ asset: 'USDT', total: '1000', usd_value: '1000' }, { asset: 'BTC', total: '0.01', usd_value: '500' }]),
    point(1, null, [{ broker_id: 1, total_usd: '1010', error: null }, { broker_id: 2, total_usd: null, error: 'Binance injoignable' }]),
    point(2, '1600', [{ broker_id: 1, total_usd: '1100', error: null }, { broker_id: 2, total_usd: '500', error: null }],
      [{ asset: 'USDT', total: '1100', usd_value: '1100' }, { asset: 'BTC', total: '0.01', usd_value: '500' }]),
  ],
}

describe('StatsBalanceChart', () => {
  let pinia
  beforeEach(() => {
    fake.charts = []
    pinia = createPinia()
    setActivePinia(pinia)
  })

  const mountChart = (props) => mount(StatsBalanceChart, { props, global: { plugins: [pinia] } })

  it('sans relevé : état vide qui explique les relevés, bouton « Relever maintenant »', async () => {
    const wrapper = mountChart({ history: { ...HISTORY, points: [] } })
    expect(fake.charts).toHaveLength(0)
    const empty = wrapper.get('[data-testid="stats-balance-empty"]').text()
    expect(empty).toContain('Aucun relevé de solde sur cette période.')
    expect(empty).toContain('toutes les heures')
    expect(empty).toContain('« Relever maintenant »')
    await wrapper.get('[data-testid="stats-snapshot-now"]').trigger('click')
    expect(wrapper.emitted('snapshot')).toHaveLength(1)
  })

  it('relevés seulement illisibles : état vide qui le dit (pas de courbe à zéro)', () => {
    const wrapper = mountChart({ history: { ...HISTORY, points: [HISTORY.points[1]] } })
    expect(wrapper.get('[data-testid="stats-balance-empty"]').text()).toContain('Solde illisible sur cette période.')
    expect(fake.charts).toHaveLength(0)
  })

  it('courbe avec un trou, légende du dernier point puis du point survolé', async () => {
    const wrapper = mountChart({ history: HISTORY })
    await nextTick()
    const chart = fake.charts[0]
    expect(chart.series[0].data).toEqual([{ time: T0, value: 1500 }, { time: T0 + H }, { time: T0 + 2 * H, value: 1600 }])
    const legend = () => wrapper.get('[data-testid="stats-balance-legend"]').text()
    expect(wrapper.get('[data-testid="stats-balance-total"]').text()).toBe('1\u202f600,00 $')
    expect(legend()).toContain('05 janv. 2026 12:00 UTC')
    expect(legend()).toMatch(/USDT\s*1\u202f100,00 \$\s*68,8 %/)
    expect(legend()).toContain('+100,00 $') // variation sur la période

    chart.crosshair.forEach((fn) => fn({ time: T0 + H }))
    await nextTick()
    expect(wrapper.get('[data-testid="stats-balance-total"]').text()).toBe('Solde illisible')
    expect(legend()).toContain('Secondaire : Binance injoignable')

    chart.crosshair.forEach((fn) => fn({ time: T0 }))
    await nextTick()
    expect(wrapper.get('[data-testid="stats-balance-total"]').text()).toBe('1\u202f500,00 $')
    expect(legend()).toContain('05 janv. 2026 10:00 UTC')

    chart.crosshair.forEach((fn) => fn({}))
    await nextTick()
    expect(wrapper.get('[data-testid="stats-balance-total"]').text()).toBe('1\u202f600,00 $')
  })

  it('relevé en cours : bouton désactivé ; issue du relevé annoncée', () => {
    const wrapper = mountChart({ history: HISTORY, snapshotting: true, result: { text: '1 solde relevé, 1 illisible : Secondaire (x)', tone: 'warning' } })
    expect(wrapper.get('[data-testid="stats-snapshot-now"]').attributes('disabled')).toBeDefined()
    expect(wrapper.get('[data-testid="stats-snapshot-now"]').text()).toBe('Relevé en cours…')
    const result = wrapper.get('[data-testid="stats-snapshot-result"]')
    expect(result.attributes('role')).toBe('status')
    expect(result.text()).toContain('1 illisible')
  })
})
