/**
 * Design tokens Aristobot V3 — deux niveaux.
 *
 * 1. `palette` : les couleurs brutes (néons, gris). Aucun composant ne les utilise directement.
 * 2. `themes.dark` / `themes.light` : les tokens de sens (`--color-profit`, `--color-surface`…),
 *    construits à partir de la palette. Les composants n'utilisent QUE ce niveau, via les
 *    variables CSS ; le thème clair est donc un simple échange de tokens.
 *
 * `tokensToCss()` produit la feuille `:root[data-theme=…]` injectée au démarrage
 * (voir `applyTokens.js`) : ce fichier est la source unique de vérité.
 */

export const palette = Object.freeze({
  // Néons de la charte (spec §2)
  neonBlue: '#00D4FF', // Bleu électrique — primaire
  neonGreen: '#00FF88', // Vert néon — succès / profit
  tradingRed: '#FF0055', // Rouge trading — danger / perte
  neonAmber: '#FFB800', // Avertissement
  neonViolet: '#A66BFF', // Accent secondaire (mode dev)

  // Variantes profondes pour le thème clair (contraste sur fond blanc)
  blueDeep: '#0086B3',
  greenDeep: '#00A35C',
  redDeep: '#D6004A',
  amberDeep: '#B87800',
  violetDeep: '#7A3FE0',

  // Échelle « nuit » (thème sombre)
  night950: '#06080D',
  night900: '#0A0D14',
  night850: '#0E121B',
  night800: '#121723',
  night750: '#171D2B',
  night700: '#1D2535',
  night600: '#283248',
  night400: '#5D6A84',
  night300: '#8A96AE',
  night100: '#D7DEEA',
  night50: '#EEF3FA',

  // Échelle « jour » (thème clair)
  day0: '#FFFFFF',
  day50: '#F5F7FB',
  day100: '#EDF1F7',
  day200: '#DCE3EE',
  day300: '#C5CFDE',
  day400: '#8C97AB',
  day500: '#66728A',
  day800: '#1E293B',
  day900: '#0D1526',
})

const p = palette

/** Convertit `#RRGGBB` en `rgba(r, g, b, a)`. */
export function alpha(hex, a) {
  const n = Number.parseInt(hex.slice(1), 16)
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`
}

/** Tokens de sens. Clés = noms des variables CSS (sans le préfixe `--`). */
export const themes = Object.freeze({
  dark: Object.freeze({
    'color-bg': p.night900,
    'color-bg-elevated': p.night850,
    'color-surface': p.night800,
    'color-surface-raised': p.night750,
    'color-surface-hover': p.night700,
    'color-sidebar': p.night950,
    'color-border': p.night700,
    'color-border-strong': p.night600,
    'color-text': p.night50,
    'color-text-muted': p.night300,
    'color-text-faint': p.night400,
    'color-text-inverse': p.night900,
    'color-primary': p.neonBlue,
    'color-primary-soft': alpha(p.neonBlue, 0.12),
    'color-on-primary': p.night950,
    'color-success': p.neonGreen,
    'color-success-soft': alpha(p.neonGreen, 0.12),
    'color-danger': p.tradingRed,
    'color-danger-soft': alpha(p.tradingRed, 0.12),
    'color-warning': p.neonAmber,
    'color-warning-soft': alpha(p.neonAmber, 0.12),
    'color-accent': p.neonViolet,
    'color-accent-soft': alpha(p.neonViolet, 0.14),
    'color-profit': p.neonGreen,
    'color-loss': p.tradingRed,
    'color-glow': alpha(p.neonBlue, 0.35),
    'color-glow-success': alpha(p.neonGreen, 0.45),
    'color-glow-danger': alpha(p.tradingRed, 0.45),
    'color-card-border': alpha(p.neonBlue, 0.16),
    'color-focus-ring': alpha(p.neonBlue, 0.55),
    'color-scrollbar': p.night600,
    'color-backdrop': alpha(p.night950, 0.72),
    'shadow-card': `0 0 0 1px ${alpha(p.neonBlue, 0.04)}, 0 0 22px -6px ${alpha(p.neonBlue, 0.28)}, 0 12px 32px -18px rgba(0, 0, 0, 0.9)`,
    'shadow-card-hover': `0 0 0 1px ${alpha(p.neonBlue, 0.1)}, 0 0 28px -4px ${alpha(p.neonBlue, 0.4)}, 0 12px 32px -18px rgba(0, 0, 0, 0.9)`,
    'gradient-card': `linear-gradient(180deg, ${alpha(p.neonBlue, 0.035)} 0%, rgba(0, 0, 0, 0) 42%)`,
    'gradient-app': `radial-gradient(1200px 600px at 85% -10%, ${alpha(p.neonBlue, 0.07)}, transparent 60%), radial-gradient(900px 500px at -10% 110%, ${alpha(p.neonViolet, 0.06)}, transparent 60%)`,
    'color-scheme': 'dark',
  }),
  light: Object.freeze({
    'color-bg': p.day50,
    'color-bg-elevated': p.day0,
    'color-surface': p.day0,
    'color-surface-raised': p.day50,
    'color-surface-hover': p.day100,
    'color-sidebar': p.day0,
    'color-border': p.day200,
    'color-border-strong': p.day300,
    'color-text': p.day900,
    'color-text-muted': p.day500,
    'color-text-faint': p.day400,
    'color-text-inverse': p.day0,
    'color-primary': p.blueDeep,
    'color-primary-soft': alpha(p.blueDeep, 0.1),
    'color-on-primary': p.day0,
    'color-success': p.greenDeep,
    'color-success-soft': alpha(p.greenDeep, 0.1),
    'color-danger': p.redDeep,
    'color-danger-soft': alpha(p.redDeep, 0.08),
    'color-warning': p.amberDeep,
    'color-warning-soft': alpha(p.amberDeep, 0.1),
    'color-accent': p.violetDeep,
    'color-accent-soft': alpha(p.violetDeep, 0.1),
    'color-profit': p.greenDeep,
    'color-loss': p.redDeep,
    'color-glow': alpha(p.blueDeep, 0.18),
    'color-glow-success': alpha(p.greenDeep, 0.15),
    'color-glow-danger': alpha(p.redDeep, 0.15),
    'color-card-border': p.day200,
    'color-focus-ring': alpha(p.blueDeep, 0.45),
    'color-scrollbar': p.day300,
    'color-backdrop': alpha(p.day900, 0.38),
    'shadow-card': `0 1px 2px rgba(13, 21, 38, 0.06), 0 6px 20px -12px ${alpha(p.blueDeep, 0.25)}`,
    'shadow-card-hover': `0 1px 2px rgba(13, 21, 38, 0.08), 0 10px 26px -12px ${alpha(p.blueDeep, 0.35)}`,
    'gradient-card': 'linear-gradient(180deg, rgba(255, 255, 255, 0) 0%, rgba(255, 255, 255, 0) 100%)',
    'gradient-app': `radial-gradient(1200px 600px at 85% -10%, ${alpha(p.blueDeep, 0.06)}, transparent 60%)`,
    'color-scheme': 'light',
  }),
})

/** Tokens indépendants du thème (typographie, rayons, espacements). */
export const scale = Object.freeze({
  'font-sans': "'Inter Variable', 'Inter', 'Segoe UI', system-ui, -apple-system, sans-serif",
  'font-mono': "'JetBrains Mono Variable', 'JetBrains Mono', 'SFMono-Regular', Consolas, monospace",
  // Tailles de police : aucun `font-size` en px dans les composants (vérifié par `npm run lint`).
  'font-size-2xs': '10px', // micro-libellés, badges, flèches de tri
  'font-size-xs': '11px', // en-têtes de tableau, métadonnées, messages d'erreur en ligne
  'font-size-sm': '12px', // tableaux denses, aides, boutons compacts
  'font-size-md': '13px', // texte d'interface, tableaux, champs
  'font-size-base': '14px', // texte courant (body)
  'font-size-lg': '16px', // titres de carte et de fenêtre
  'font-size-xl': '18px',
  'font-size-2xl': '20px', // chiffres mis en avant (total, prix)
  'font-size-3xl': '22px',
  'font-size-4xl': '24px', // titre de page
  'font-size-5xl': '28px', // indicateurs clés
  'radius-sm': '6px',
  'radius-md': '10px',
  'radius-lg': '14px',
  'radius-pill': '999px',
  'space-1': '4px',
  'space-2': '8px',
  'space-3': '12px',
  'space-4': '16px',
  'space-5': '24px',
  'space-6': '32px',
  'sidebar-width': '236px',
  'header-height': '64px',
  'transition-fast': '140ms ease',
})

export const THEMES = Object.freeze(['dark', 'light'])
export const DEFAULT_THEME = 'dark'

function declarations(tokens, indent = '  ') {
  return Object.entries(tokens)
    .map(([name, value]) => (name === 'color-scheme' ? `${indent}color-scheme: ${value};` : `${indent}--${name}: ${value};`))
    .join('\n')
}

/** Feuille CSS complète : échelle sur `:root`, puis un bloc par thème. */
export function tokensToCss() {
  const blocks = [`:root {\n${declarations(scale)}\n}`]
  for (const name of THEMES) {
    const selector = name === DEFAULT_THEME ? `:root, :root[data-theme='${name}']` : `:root[data-theme='${name}']`
    blocks.push(`${selector} {\n${declarations(themes[name])}\n}`)
  }
  return blocks.join('\n\n') + '\n'
}
