/**
 * Extensions CodeMirror communes à l'éditeur et à la vue de diff : Python, numéros de ligne,
 * historique, repli, parenthèses, recherche, complétion, indentation à 4 espaces, thème Aristobot.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import { python } from '@codemirror/lang-python'
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, indentUnit } from '@codemirror/language'
import { lintKeymap } from '@codemirror/lint'
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search'
import { EditorState } from '@codemirror/state'
import {
  crosshairCursor,
  drawSelection,
  dropCursor,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from '@codemirror/view'
import { aristobotTheme } from './theme.js'

/** Traductions françaises des libellés internes de CodeMirror (recherche, repli, lint…). */
export const frenchPhrases = EditorState.phrases.of({
  'Find': 'Rechercher',
  'Replace': 'Remplacer',
  'next': 'suivant',
  'previous': 'précédent',
  'all': 'tout',
  'match case': 'respecter la casse',
  'by word': 'mot entier',
  'regexp': 'expression régulière',
  'replace': 'remplacer',
  'replace all': 'tout remplacer',
  'close': 'fermer',
  'Go to line': 'Aller à la ligne',
  'go': 'aller',
  'Folded lines': 'Lignes repliées',
  'Unfolded lines': 'Lignes dépliées',
  'to': 'à',
  'folded code': 'code replié',
  'unfold': 'déplier',
  'Fold line': 'Replier la ligne',
  'Unfold line': 'Déplier la ligne',
  'Diagnostics': 'Diagnostics',
  'No diagnostics': 'Aucun diagnostic',
  'Control character': 'Caractère de contrôle',
  '$ unchanged lines': '$ lignes inchangées',
  'Revert this chunk': 'Reprendre ce bloc de l’original',
  'Accept': 'Garder',
  'Reject': 'Écarter',
})

/** Langage et confort d'écriture (sans l'état lecture seule, géré par l'appelant). */
export function baseExtensions() {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    EditorState.tabSize.of(4),
    indentUnit.of('    '),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    autocompletion(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    keymap.of([
      ...closeBracketsKeymap,
      ...defaultKeymap,
      ...searchKeymap,
      ...historyKeymap,
      ...foldKeymap,
      ...completionKeymap,
      ...lintKeymap,
      indentWithTab,
    ]),
    python(),
    frenchPhrases,
    aristobotTheme,
  ]
}

/** Extensions « lecture seule » (diff, aperçu). */
export const readOnlyExtensions = () => [EditorState.readOnly.of(true), EditorView.editable.of(false)]
