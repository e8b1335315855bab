import { DEFAULT_THEME, THEMES, tokensToCss } from './tokens.js'

const STYLE_ID = 'aristobot-tokens'

/** Injecte (une seule fois) la feuille des tokens dans `<head>`. */
export function installTokens(doc = document) {
  let style = doc.getElementById(STYLE_ID)
  if (!style) {
    style = doc.createElement('style')
    style.id = STYLE_ID
    doc.head.prepend(style)
  }
  style.textContent = tokensToCss()
  return style
}

/** Applique un thème sur `<html data-theme>` ; un nom inconnu retombe sur le thème par défaut. */
export function applyTheme(theme, doc = document) {
  const name = THEMES.includes(theme) ? theme : DEFAULT_THEME
  doc.documentElement.dataset.theme = name
  return name
}
