/**
 * Marqueurs d'erreur → diagnostics CodeMirror (logique pure, testée sans navigateur).
 * Un marqueur : `{ line, message, severity?: 'error'|'warning'|'info' }`, ligne 1 = première ligne.
 */

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint'])

/**
 * @param {import('@codemirror/state').Text} doc
 * @param {{line: number, message: string, severity?: string}[]} markers
 * @returns {import('@codemirror/lint').Diagnostic[]}
 */
export function markersToDiagnostics(doc, markers = []) {
  const diagnostics = []
  for (const marker of markers) {
    if (!Number.isFinite(marker?.line) || marker.line < 1) continue
    // Une ligne au-delà de la fin (code raccourci depuis) est ramenée à la dernière.
    const line = doc.line(Math.min(Math.trunc(marker.line), doc.lines))
    const indent = line.text.length - line.text.trimStart().length
    const from = indent < line.text.length ? line.from + indent : line.from
    diagnostics.push({
      from,
      to: line.to,
      severity: SEVERITIES.has(marker.severity) ? marker.severity : 'error',
      message: String(marker.message ?? ''),
      source: 'Aristobot',
    })
  }
  return diagnostics
}

/** Position (offset) du début du texte de la ligne `lineNumber`, bornée au document. */
export function lineStart(doc, lineNumber) {
  const number = Math.min(Math.max(1, Math.trunc(lineNumber) || 1), doc.lines)
  return doc.line(number).from
}
