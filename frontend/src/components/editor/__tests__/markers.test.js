import { Text } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { diffStats } from '../diff.js'
import { lineStart, markersToDiagnostics } from '../markers.js'

const doc = Text.of(['import pandas_ta as ta', '', 'class A(Strategy):', '    def should_long(self) ->:', '        return True'])

describe('marqueurs → diagnostics CodeMirror', () => {
  it('souligne la ligne indiquée, du premier caractère non blanc à la fin', () => {
    const [diagnostic] = markersToDiagnostics(doc, [{ line: 4, message: 'Erreur de syntaxe ligne 4 : invalid syntax' }])
    const line = doc.line(4)
    expect(diagnostic).toMatchObject({ from: line.from + 4, to: line.to, severity: 'error', source: 'Aristobot' })
    expect(doc.sliceString(diagnostic.from, diagnostic.to)).toBe('def should_long(self) ->:')
  })

  it('ramène une ligne au-delà de la fin sur la dernière et ignore les lignes invalides', () => {
    const diagnostics = markersToDiagnostics(doc, [
      { line: 99, message: 'trop loin', severity: 'warning' },
      { line: 0, message: 'zéro' },
      { line: null, message: 'sans ligne' },
    ])
    expect(diagnostics).toHaveLength(1)
    expect(diagnostics[0]).toMatchObject({ from: doc.line(5).from + 8, to: doc.length, severity: 'warning' })
  })

  it('marque une ligne vide sur sa position', () => {
    const [diagnostic] = markersToDiagnostics(doc, [{ line: 2, message: 'vide' }])
    expect([diagnostic.from, diagnostic.to]).toEqual([doc.line(2).from, doc.line(2).from])
  })

  it('donne le début d’une ligne, borné au document', () => {
    expect(lineStart(doc, 3)).toBe(doc.line(3).from)
    expect(lineStart(doc, 40)).toBe(doc.line(5).from)
    expect(lineStart(doc, -2)).toBe(0)
  })
})

describe('statistiques du diff', () => {
  it('compte les lignes ajoutées et retirées', () => {
    const before = 'a\nb\nc\nd\n'
    const after = 'a\nB\nc\nd\ne\nf\n'
    expect(diffStats(before, after)).toEqual({ added: 3, removed: 1, chunks: 2, identical: false })
  })

  it('reconnaît deux codes identiques', () => {
    expect(diffStats('x = 1\n', 'x = 1\n')).toEqual({ added: 0, removed: 0, chunks: 0, identical: true })
  })
})
