import { describe, expect, it } from 'vitest'
import { findRawFontSizes } from '../../tools/check-font-sizes.mjs'

describe('contrôle des tailles de police (npm run lint)', () => {
  it('signale les px en CSS, en raccourci font et en CSS-in-JS, avec leur ligne', () => {
    const text = ['.a {', '  font-size: 12.5px;', '  font: 600 11px var(--font-sans);', '}', "const t = { fontSize: '13px', font: '600 11px x' }"].join('\n')
    expect(findRawFontSizes(text).map((hit) => [hit.line, hit.text])).toEqual([
      [2, 'font-size: 12.5px'],
      [3, 'font: 600 11px'],
      [5, "fontSize: '13px"],
      [5, "font: '600 11px"],
    ])
  })

  it('accepte les tokens et les autres unités de mesure', () => {
    const text = ['.a { font-size: var(--font-size-sm); font: inherit; font-weight: 650; }', ".b { padding: 12px; }", "'font-size-sm': '12px',", "{ fontSize: 'var(--font-size-md)' }"].join('\n')
    expect(findRawFontSizes(text)).toEqual([])
  })
})
