import { Chunk } from '@codemirror/merge'
import { Text } from '@codemirror/state'

const toText = (value) => Text.of(String(value ?? '').split('\n'))

/**
 * Lignes ajoutées / retirées entre `before` et `after` (même découpage que la vue de diff).
 * @returns {{added: number, removed: number, chunks: number, identical: boolean}}
 */
export function diffStats(before, after) {
  const a = toText(before)
  const b = toText(after)
  const chunks = Chunk.build(a, b)
  let added = 0
  let removed = 0
  for (const chunk of chunks) {
    if (chunk.toA > chunk.fromA) removed += a.lineAt(chunk.endA).number - a.lineAt(chunk.fromA).number + 1
    if (chunk.toB > chunk.fromB) added += b.lineAt(chunk.endB).number - b.lineAt(chunk.fromB).number + 1
  }
  return { added, removed, chunks: chunks.length, identical: String(before ?? '') === String(after ?? '') }
}
