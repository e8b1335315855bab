import { describe, expect, it } from 'vitest'
import { TickMarkType } from 'lightweight-charts'
import { TICK_MAX_CHARS, chartOptions, formatChartTime, readTokens, resolveColor, seriesOptions, tickLabel, withAlpha } from '../theme.js'

describe('thème des graphiques', () => {
  const styles = {
    values: { '--color-primary': '#00D4FF', '--color-profit': '#00FF88', '--color-loss': '#FF0055', '--color-border': '#1D2535', '--color-text-muted': ' #8A96AE', '--color-custom': 'rgb(1, 2, 3)' },
    getPropertyValue(name) {
      return this.values[name] ?? ''
    },
  }
  const tokens = readTokens(styles)

  it('lit les tokens de sens et résout les couleurs nommées', () => {
    expect(tokens.text).toBe('#8A96AE')
    expect(resolveColor('profit', tokens, styles)).toBe('#00FF88')
    expect(resolveColor('var(--color-custom)', tokens, styles)).toBe('rgb(1, 2, 3)')
    expect(resolveColor('#123456', tokens, styles)).toBe('#123456')
    expect(resolveColor(undefined, tokens, styles)).toBe('#00D4FF')
  })

  it('taille du texte des axes tirée du token --font-size-xs (11 px sans token)', () => {
    expect(chartOptions(tokens).layout.fontSize).toBe(11)
    const sized = readTokens({ getPropertyValue: (name) => (name === '--font-size-xs' ? ' 12px' : '') })
    expect(chartOptions(sized).layout.fontSize).toBe(12)
  })

  it('opacité sur #RRGGBB, #RGB et rgb()', () => {
    expect(withAlpha('#00FF88', 0.5)).toBe('rgba(0, 255, 136, 0.5)')
    expect(withAlpha('#fff', 0.1)).toBe('rgba(255, 255, 255, 0.1)')
    expect(withAlpha('rgba(1, 2, 3, 1)', 0.2)).toBe('rgba(1, 2, 3, 0.2)')
  })

  it('options des séries selon le type (chandeliers aux couleurs profit/perte)', () => {
    expect(seriesOptions('area', '#00FF88', tokens)).toMatchObject({ lineColor: '#00FF88', topColor: 'rgba(0, 255, 136, 0.32)' })
    expect(seriesOptions('candlestick', '', tokens)).toMatchObject({ upColor: '#00FF88', downColor: '#FF0055' })
    expect(seriesOptions('line', '#123456', tokens, { lineWidth: 1 })).toEqual({ color: '#123456', lineWidth: 1 })
  })

  it('heures dans le fuseau d’affichage (axe et infobulle)', () => {
    const t = 1767657600 // 2026-01-06 00:00 UTC = 01:00 à Paris
    expect(formatChartTime(t, 'UTC')).toBe('06 janv. 2026 00:00')
    expect(formatChartTime(t, 'local')).toBe('06 janv. 2026 01:00')
    expect(formatChartTime(t, 'UTC', { intraday: false })).toBe('06 janv. 2026')
    expect(tickLabel(t, 2, 'UTC')).toBe('6 janv.')
    expect(tickLabel(t, 3, 'local')).toBe('01:00')
    const options = chartOptions(tokens, { timezone: 'local' })
    expect(options.autoSize).toBe(true)
    expect(options.localization.timeFormatter(t)).toBe('06 janv. 2026 01:00')
  })

  it('graduations de temps assez courtes pour l’espacement de lightweight-charts (pas de chevauchement)', () => {
    // Chaque jour de l'année 2028 (bissextile), à 23:59 : mois, jour du mois, heure, année.
    const start = Date.UTC(2028, 0, 1, 23, 59) / 1000
    const labels = new Set()
    for (let day = 0; day < 366; day++) {
      for (const type of [TickMarkType.Year, TickMarkType.Month, TickMarkType.DayOfMonth, TickMarkType.Time, TickMarkType.TimeWithSeconds]) {
        for (const timezone of ['UTC', 'local']) labels.add(tickLabel(start + day * 86400, type, timezone))
      }
    }
    const tooLong = [...labels].filter((label) => label.length > TICK_MAX_CHARS)
    expect(tooLong).toEqual([])
    expect(labels).toContain('22 sept.')
    expect(chartOptions(tokens).timeScale.tickMarkMaxCharacterLength).toBe(TICK_MAX_CHARS)
  })

  it('axes sans libellé coupé : bords du temps fixés, graduations de prix entières seulement', () => {
    const options = chartOptions(tokens)
    expect(options.timeScale).toMatchObject({ fixLeftEdge: true, fixRightEdge: true })
    expect(options.rightPriceScale.entireTextOnly).toBe(true)
  })
})
