/**
 * Thème CodeMirror d'Aristobot : uniquement des tokens de sens (`var(--color-…)`), donc néon en
 * sombre et sobre en clair sans reconfigurer l'éditeur (le thème est un échange de variables).
 */
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { EditorView } from '@codemirror/view'
import { tags as t } from '@lezer/highlight'

export const editorTheme = EditorView.theme({
  '&': {
    color: 'var(--color-text)',
    backgroundColor: 'var(--color-bg-elevated)',
    fontSize: 'var(--font-size-md)',
    height: '100%',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.6' },
  '.cm-content': { caretColor: 'var(--color-primary)', padding: '8px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--color-primary)', borderLeftWidth: '2px' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--color-primary-soft) !important' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--color-primary) 5%, transparent)' },
  '.cm-selectionMatch': { backgroundColor: 'color-mix(in srgb, var(--color-accent) 18%, transparent)' },
  '&.cm-focused .cm-matchingBracket': {
    backgroundColor: 'var(--color-primary-soft)',
    outline: '1px solid color-mix(in srgb, var(--color-primary) 55%, transparent)',
  },
  '.cm-gutters': {
    backgroundColor: 'var(--color-surface)',
    color: 'var(--color-text-faint)',
    borderRight: '1px solid var(--color-border)',
  },
  '.cm-activeLineGutter': { backgroundColor: 'var(--color-surface-hover)', color: 'var(--color-primary)' },
  '.cm-lineNumbers .cm-gutterElement': { padding: '0 10px 0 14px', minWidth: '40px' },
  '.cm-foldPlaceholder': {
    backgroundColor: 'var(--color-surface-raised)',
    border: '1px solid var(--color-border-strong)',
    color: 'var(--color-text-muted)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--color-surface-raised)',
    border: '1px solid var(--color-border-strong)',
    color: 'var(--color-text)',
    borderRadius: 'var(--radius-sm)',
  },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'var(--color-primary-soft)',
    color: 'var(--color-text)',
  },
  '.cm-panels': { backgroundColor: 'var(--color-surface)', color: 'var(--color-text)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--color-border)' },
  '.cm-searchMatch': { backgroundColor: 'var(--color-warning-soft)', outline: '1px solid var(--color-warning)' },
  '.cm-lintRange-error': {
    backgroundImage: 'none',
    textDecoration: 'underline wavy var(--color-danger)',
    textUnderlineOffset: '3px',
  },
  '.cm-line.cm-error-line': { backgroundColor: 'var(--color-danger-soft)' },
  '.cm-diagnostic-error': { borderLeft: '3px solid var(--color-danger)' },
  '.cm-gutter-lint': { width: '18px' },
  '.cm-gutter-lint .cm-gutterElement': { padding: '0 2px' },
  // Vue de diff (@codemirror/merge) : vert = proposé, rouge = retiré (côte à côte ou unifiée)
  '.cm-changedLine': { backgroundColor: 'var(--color-success-soft) !important' },
  '&.cm-merge-a .cm-changedLine, .cm-deletedChunk': { backgroundColor: 'var(--color-danger-soft) !important' },
  '.cm-changedText': { background: 'color-mix(in srgb, var(--color-success) 30%, transparent) !important' },
  '&.cm-merge-a .cm-changedText, .cm-deletedChunk .cm-deletedText': {
    background: 'color-mix(in srgb, var(--color-danger) 30%, transparent) !important',
  },
  '.cm-deletedChunk': { paddingLeft: '6px', color: 'var(--color-text-muted)' },
  '.cm-deletedChunk button': {
    padding: '1px 8px',
    border: '1px solid var(--color-border-strong) !important',
    borderRadius: 'var(--radius-sm) !important',
    background: 'var(--color-surface-raised) !important',
    font: '600 var(--font-size-xs) var(--font-sans)',
  },
  '.cm-deletedChunk button[name=accept]': { color: 'var(--color-success) !important' },
  '.cm-deletedChunk button[name=reject]': { color: 'var(--color-danger) !important' },
  '.cm-changeGutter': { width: '4px', paddingLeft: '0' },
  '.cm-changedLineGutter': { background: 'var(--color-success) !important' },
  '&.cm-merge-a .cm-changedLineGutter, .cm-deletedLineGutter': { background: 'var(--color-danger) !important' },
})

export const highlightStyle = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: 'var(--color-accent)', fontWeight: '600' },
  { tag: [t.string, t.special(t.string), t.regexp], color: 'var(--color-success)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--color-warning)' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: 'var(--color-primary)' },
  { tag: [t.definition(t.function(t.variableName)), t.definition(t.variableName)], color: 'var(--color-primary)', fontWeight: '600' },
  { tag: [t.className, t.definition(t.className), t.typeName], color: 'var(--color-primary)', fontWeight: '650' },
  { tag: t.self, color: 'var(--color-danger)', fontStyle: 'italic' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--color-text-faint)', fontStyle: 'italic' },
  { tag: [t.docString], color: 'var(--color-text-muted)', fontStyle: 'italic' },
  { tag: [t.propertyName, t.attributeName], color: 'var(--color-text)' },
  { tag: [t.operator, t.punctuation, t.bracket, t.separator], color: 'var(--color-text-muted)' },
  { tag: t.meta, color: 'var(--color-text-muted)' },
  { tag: t.invalid, color: 'var(--color-danger)' },
])

export const aristobotTheme = [editorTheme, syntaxHighlighting(highlightStyle)]
