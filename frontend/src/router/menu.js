/**
 * Les 8 entrées du menu principal (spec §2), dans l'ordre de la barre latérale.
 * Source unique pour le routeur et `TheSidebar`.
 */
export const MENU_ENTRIES = Object.freeze([
  { name: 'heartbeat', path: '/heartbeat', label: 'Heartbeat', icon: 'pulse' },
  { name: 'trading-manuel', path: '/trading-manuel', label: 'Trading manuel', icon: 'hand' },
  { name: 'trading-bot', path: '/trading-bot', label: 'Trading BOT', icon: 'bot' },
  { name: 'strategies', path: '/strategies', label: 'Stratégies', icon: 'code' },
  { name: 'backtest', path: '/backtest', label: 'Backtest', icon: 'history' },
  { name: 'webhooks', path: '/webhooks', label: 'Webhooks', icon: 'webhook' },
  { name: 'statistiques', path: '/statistiques', label: 'Statistiques', icon: 'chart' },
  { name: 'mon-compte', path: '/mon-compte', label: 'Mon Compte', icon: 'user' },
])

export const HOME_PATH = MENU_ENTRIES[0].path
export const LOGIN_PATH = '/login'
