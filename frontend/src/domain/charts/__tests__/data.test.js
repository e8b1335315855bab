import { describe, expect, it } from 'vitest'
import { normalizeMarkers, normalizeSeriesData, pnlSeries, toChartTime } from '../data.js'

describe('données des graphiques', () => {
  it('temps en secondes Unix depuis ISO, millisecondes, secondes ou Date', () => {
    expect(toChartTime('2026-01-06T00:00:00Z')).toBe(1767657600)
    expect(toChartTime(1767657600000)).toBe(1767657600)
    expect(toChartTime(1767657600)).toBe(1767657600)
    expect(toChartTime(new Date('2026-01-06T00:00:00Z'))).toBe(1767657600)
    expect([toChartTime(''), toChartTime('n’importe quoi'), toChartTime(Number.NaN)]).toEqual([null, null, null])
  })

  it('points triés, un par instant (le dernier l’emporte), invalides écartés', () => {
    const data = normalizeSeriesData([
      { time: 300, value: 3 },
      { time: 100, value: 1 },
      { time: 300, value: 4 },
      { time: null, value: 9 },
    ])
    expect(data).toEqual([{ time: 100, value: 1 }, { time: 300, value: 4 }])
    expect(normalizeMarkers([{ time: '2026-01-06T00:00:10Z', shape: 'arrowUp' }, { time: 5, shape: 'circle' }]).map((m) => m.time)).toEqual([5, 1767657610])
  })

  it('courbe du P&L cumulé : part de zéro un intervalle avant le premier point', () => {
    const history = {
      interval: 'day',
      points: [
        { timestamp: 1767657600, cumulative: '98.9' },
        { timestamp: 1767744000, cumulative: '108.49' },
      ],
    }
    expect(pnlSeries(history)).toEqual([
      { time: 1767571200, value: 0 },
      { time: 1767657600, value: 98.9 },
      { time: 1767744000, value: 108.49 },
    ])
    expect(pnlSeries({ interval: 'hour', points: [{ timestamp: 7200, cumulative: '-1' }] })[0]).toEqual({ time: 3600, value: 0 })
    expect(pnlSeries(null)).toEqual([])
  })
})
