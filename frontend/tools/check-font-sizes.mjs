#!/usr/bin/env node
// Vérifie qu'aucune taille de police n'est écrite en px dans src/ (.vue, .css, .js) : elles viennent
// des tokens `--font-size-…` (src/design-system/tokens.js). Lancé par `npm run lint` après ESLint.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const PATTERNS = [
  /font-size\s*:\s*-?\d*\.?\d+px/g, // CSS : font-size: 12px
  /\bfont\s*:[^;{}'"\n]*?\d*\.?\d+px/g, // raccourci CSS : font: 600 11px …
  /\bfontSize\s*:\s*['"`]\s*\d*\.?\d+px/g, // CSS-in-JS : fontSize: '13px'
  /\bfont\s*:\s*['"`][^'"`]*?\d*\.?\d+px/g, // CSS-in-JS : font: '600 11px …'
]

/** Tailles en px trouvées dans un texte : [{ line, column, text }]. */
export function findRawFontSizes(text) {
  const found = []
  for (const pattern of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const before = text.slice(0, match.index)
      const line = before.split('\n').length
      found.push({ line, column: match.index - before.lastIndexOf('\n'), text: match[0] })
    }
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column)
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== '__tests__') yield* sourceFiles(path)
    } else if (/\.(vue|css|js)$/.test(entry.name)) {
      yield path
    }
  }
}

function main() {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const problems = []
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const hit of findRawFontSizes(readFileSync(file, 'utf8'))) problems.push({ file: relative(root, file), ...hit })
  }
  for (const p of problems) {
    console.error(`${p.file}:${p.line}:${p.column}  taille de police en px « ${p.text} » : utilisez var(--font-size-…) (src/design-system/tokens.js)`)
  }
  if (problems.length) {
    console.error(`\n✖ ${problems.length} taille(s) de police en px`)
    process.exit(1)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main()
