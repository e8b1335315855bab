/**
 * Liste des trades d'un backtest (logique pure, testée) : colonnes et lignes. Le tri (stable, vides
 * en bas ; les dates ISO de même format se trient comme du texte) et les pages sont ceux de
 * `BaseTable`.
 */
import { EXIT_LABELS, toSeconds } from './chart.js'

export const PAGE_SIZE = 50

export const TRADE_COLUMNS = Object.freeze([
  { key: 'index', label: 'N°', numeric: true, defaultDirection: 'asc' },
  { key: 'entry_time', label: 'Entrée', numeric: false, defaultDirection: 'asc' },
  { key: 'entry_price', label: 'Prix entrée', numeric: true, defaultDirection: 'desc' },
  { key: 'exit_time', label: 'Sortie', numeric: false, defaultDirection: 'asc' },
  { key: 'exit_price', label: 'Prix sortie', numeric: true, defaultDirection: 'desc' },
  { key: 'qty', label: 'Quantité', numeric: true, defaultDirection: 'desc' },
  { key: 'fee', label: 'Frais', numeric: true, defaultDirection: 'desc' },
  { key: 'pnl', label: 'P&L', numeric: true, defaultDirection: 'desc' },
  { key: 'pnl_pct', label: 'P&L %', numeric: true, defaultDirection: 'desc' },
  { key: 'exit_label', label: 'Raison', numeric: false, defaultDirection: 'asc' },
  { key: 'balance_after', label: 'Solde après', numeric: true, defaultDirection: 'desc' },
])

/** Trades de l'API → lignes du tableau (numéro d'ordre, libellé de sortie, durée en secondes). */
export function tradeRows(trades) {
  return (trades ?? []).map((trade, position) => {
    const entry = toSeconds(trade.entry_time)
    const exit = toSeconds(trade.exit_time)
    return {
      ...trade,
      index: position + 1,
      position,
      exit_label: EXIT_LABELS[trade.exit_reason] ?? trade.exit_reason ?? '',
      duration_s: entry !== null && exit !== null ? exit - entry : null,
    }
  })
}
