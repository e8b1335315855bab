import { describe, expect, it } from 'vitest'
import { applyTheme, installTokens } from '../applyTokens.js'
import { palette, scale, themes, tokensToCss } from '../tokens.js'

describe('design tokens', () => {
  it('porte les trois néons de la charte', () => {
    expect(palette.neonBlue).toBe('#00D4FF')
    expect(palette.neonGreen).toBe('#00FF88')
    expect(palette.tradingRed).toBe('#FF0055')
  })

  it('le thème sombre mappe les tokens de sens sur les néons', () => {
    expect(themes.dark['color-primary']).toBe(palette.neonBlue)
    expect(themes.dark['color-profit']).toBe(palette.neonGreen)
    expect(themes.dark['color-loss']).toBe(palette.tradingRed)
  })

  it('le thème clair est un échange : exactement les mêmes tokens de sens', () => {
    expect(Object.keys(themes.light).sort()).toEqual(Object.keys(themes.dark).sort())
    for (const name of ['color-profit', 'color-loss', 'color-surface', 'color-glow', 'color-primary', 'color-text', 'color-border']) {
      expect(themes.dark[name]).toBeTruthy()
    }
  })

  it('produit les variables CSS par thème et les injecte une seule fois', () => {
    const css = tokensToCss()
    expect(css).toContain(":root[data-theme='light'] {")
    expect(css).toContain(`--color-primary: ${palette.neonBlue};`)
    installTokens()
    installTokens()
    expect(document.querySelectorAll('#aristobot-tokens')).toHaveLength(1)
  })

  it('échelle des tailles de police : px, strictement croissante, exposée en variables CSS', () => {
    const sizes = Object.entries(scale).filter(([name]) => name.startsWith('font-size-'))
    expect(sizes.map(([name]) => name)).toEqual(['2xs', 'xs', 'sm', 'md', 'base', 'lg', 'xl', '2xl', '3xl', '4xl', '5xl'].map((s) => `font-size-${s}`))
    const px = sizes.map(([, value]) => Number(value.replace(/px$/, '')))
    expect(px.every((n, i) => Number.isFinite(n) && (i === 0 || n > px[i - 1]))).toBe(true)
    expect(tokensToCss()).toContain('--font-size-base: 14px;')
  })

  it('applyTheme pose data-theme et refuse un thème inconnu', () => {
    expect(applyTheme('light')).toBe('light')
    expect(document.documentElement.dataset.theme).toBe('light')
    expect(applyTheme('rose')).toBe('dark')
    expect(document.documentElement.dataset.theme).toBe('dark')
  })
})
