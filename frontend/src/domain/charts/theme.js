/**
 * Thème des graphiques lightweight-charts tiré des tokens de sens (variables CSS) : le graphique suit
 * le thème sombre / clair sans connaître la palette.
 */
import { TickMarkType } from 'lightweight-charts'
import { dateParts } from '../../utils/format.js'

/** Couleurs nommées utilisables dans les séries (`color: 'profit'`) → variable CSS. */
export const COLOR_TOKENS = Object.freeze({
  primary: '--color-primary',
  profit: '--color-profit',
  loss: '--color-loss',
  success: '--color-success',
  danger: '--color-danger',
  warning: '--color-warning',
  accent: '--color-accent',
  muted: '--color-text-muted',
})

const THEME_VARS = {
  text: '--color-text-muted',
  faint: '--color-text-faint',
  border: '--color-border',
  grid: '--color-border',
  surface: '--color-surface',
  crosshair: '--color-border-strong',
  font: '--font-sans',
  fontSize: '--font-size-xs',
}

/** Lit les tokens utiles depuis un `CSSStyleDeclaration` (getComputedStyle(document.documentElement)). */
export function readTokens(styles) {
  const get = (name) => styles?.getPropertyValue?.(name)?.trim() ?? ''
  const tokens = Object.fromEntries(Object.entries(THEME_VARS).map(([key, name]) => [key, get(name)]))
  tokens.colors = Object.fromEntries(Object.entries(COLOR_TOKENS).map(([key, name]) => [key, get(name)]))
  return tokens
}

/** Résout une couleur de série : nom de token (`profit`), `var(--x)`, `--x` ou couleur CSS brute. */
export function resolveColor(value, tokens, styles) {
  if (!value) return tokens.colors.primary || '#00D4FF'
  if (tokens.colors[value]) return tokens.colors[value]
  const name = value.startsWith('var(') ? value.slice(4, -1).trim() : value
  if (name.startsWith('--')) return styles?.getPropertyValue?.(name)?.trim() || tokens.colors.primary
  return value
}

/** Ajoute une opacité à une couleur `#RRGGBB`, `#RGB` ou `rgb(a)(…)`. */
export function withAlpha(color, alpha) {
  const value = String(color || '').trim()
  let hex = value.startsWith('#') ? value.slice(1) : ''
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('')
  if (/^[0-9a-f]{6}$/i.test(hex)) {
    const n = Number.parseInt(hex, 16)
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`
  }
  const match = value.match(/^rgba?\(([^)]+)\)$/i)
  if (match) {
    const [r, g, b] = match[1].split(',').map((part) => part.trim())
    return `rgba(${r}, ${g}, ${b}, ${alpha})`
  }
  return value
}

const pad = (n) => String(n).padStart(2, '0')
const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.']

/** Libellé d'un instant (secondes Unix) dans le fuseau d'affichage, pour l'infobulle. */
export function formatChartTime(time, timezone = 'UTC', { intraday = true } = {}) {
  const p = dateParts(new Date(Number(time) * 1000), timezone)
  const day = `${pad(p.day)} ${MONTHS[p.month - 1]} ${p.year}`
  return intraday ? `${day} ${pad(p.hours)}:${pad(p.minutes)}` : day
}

/**
 * Longueur maximale d'une graduation de l'axe du temps : lightweight-charts espace les graduations
 * d'après ce nombre de caractères (8 par défaut) ; un libellé plus long chevaucherait son voisin.
 */
export const TICK_MAX_CHARS = 8

/** Graduations de l'axe du temps dans le fuseau d'affichage (au plus `TICK_MAX_CHARS` caractères). */
export function tickLabel(time, type, timezone = 'UTC') {
  const p = dateParts(new Date(Number(time) * 1000), timezone)
  switch (type) {
    case TickMarkType.Year:
      return String(p.year)
    case TickMarkType.Month:
      return MONTHS[p.month - 1]
    case TickMarkType.DayOfMonth:
      return `${p.day} ${MONTHS[p.month - 1]}`
    default:
      return `${pad(p.hours)}:${pad(p.minutes)}`
  }
}

/** Options du graphique (mise en page, grille, axes, réticule) pour les tokens courants. */
export function chartOptions(tokens, { timezone = 'UTC', intraday = true, priceFormatter } = {}) {
  return {
    autoSize: true,
    layout: {
      background: { type: 'solid', color: 'transparent' },
      textColor: tokens.text,
      fontFamily: tokens.font || undefined,
      fontSize: Number.parseFloat(tokens.fontSize) || 11,
      attributionLogo: true,
    },
    grid: {
      vertLines: { color: withAlpha(tokens.grid, 0.5) },
      horzLines: { color: withAlpha(tokens.grid, 0.5) },
    },
    // entireTextOnly : pas de graduation de prix coupée en haut ou en bas du graphique.
    rightPriceScale: { borderColor: tokens.border, entireTextOnly: true },
    // Bords fixés : la première et la dernière graduation de temps sont recalées dans le graphique
    // (sinon la première, centrée sur la première bougie, est à moitié coupée : « éc. » pour « 2 déc. »).
    timeScale: {
      borderColor: tokens.border,
      timeVisible: intraday,
      secondsVisible: false,
      fixLeftEdge: true,
      fixRightEdge: true,
      tickMarkMaxCharacterLength: TICK_MAX_CHARS,
      tickMarkFormatter: (time, type) => tickLabel(time, type, timezone),
    },
    crosshair: {
      vertLine: { color: tokens.crosshair, labelBackgroundColor: tokens.crosshair },
      horzLine: { color: tokens.crosshair, labelBackgroundColor: tokens.crosshair },
    },
    localization: {
      locale: 'fr-FR',
      timeFormatter: (time) => formatChartTime(time, timezone, { intraday }),
      ...(priceFormatter ? { priceFormatter } : {}),
    },
  }
}

/** Options d'une série selon son type et sa couleur (déjà résolue). */
export function seriesOptions(type, color, tokens, extra = {}) {
  const { profit, loss } = tokens.colors
  switch (type) {
    case 'area':
      return { lineColor: color, topColor: withAlpha(color, 0.32), bottomColor: withAlpha(color, 0.02), lineWidth: 2, ...extra }
    case 'baseline':
      return {
        baseValue: { type: 'price', price: 0 },
        topLineColor: profit, topFillColor1: withAlpha(profit, 0.28), topFillColor2: withAlpha(profit, 0.04),
        bottomLineColor: loss, bottomFillColor1: withAlpha(loss, 0.04), bottomFillColor2: withAlpha(loss, 0.28),
        lineWidth: 2, ...extra,
      }
    case 'candlestick':
      return {
        upColor: profit, downColor: loss, borderVisible: false, wickUpColor: profit, wickDownColor: loss, ...extra,
      }
    case 'histogram':
      return { color: withAlpha(color, 0.6), ...extra }
    default:
      return { color, lineWidth: 2, ...extra }
  }
}
