/**
 * Statistiques d'un backtest (logique pure, testée) : cartes du résultat et tableau de comparaison.
 * Montants décimaux reçus en texte (colonnes) ou en nombres (`stats`).
 */
import { EMPTY, formatNumber } from '../../utils/format.js'

const num = (value) => (value === null || value === undefined || value === '' ? null : Number(value))
const finite = (value) => Number.isFinite(num(value))

export function formatMoney(value, decimals = 2) {
  return finite(value) ? formatNumber(num(value), { decimals }) : EMPTY
}

/** Montant signé : « +1 234,56 », « −12,00 ». */
export function formatSigned(value, decimals = 2) {
  if (!finite(value)) return EMPTY
  const n = num(value)
  const text = formatNumber(Math.abs(n), { decimals })
  return n > 0 ? `+${text}` : n < 0 ? `−${text}` : text
}

/** Pourcentage déjà en % (12.5 → « 12,50 % »), signé si demandé. */
export function formatPct(value, { signed = false, decimals = 2, minDecimals } = {}) {
  if (!finite(value)) return EMPTY
  return `${signed ? formatSigned(value, decimals) : formatNumber(num(value), { decimals, minDecimals })} %`
}

export function formatRatio(value) {
  return finite(value) ? formatNumber(num(value), { decimals: 2 }) : EMPTY
}

/** Tonalité d'un résultat (`success` / `danger` / `neutral`). */
export function tone(value) {
  const n = num(value)
  if (!n || !Number.isFinite(n)) return 'neutral'
  return n > 0 ? 'success' : 'danger'
}

/** Les cartes du résultat (montant final, P&L, trades, réussite, drawdown, ratios, frais, buy & hold). */
export function statCards(backtest) {
  if (!backtest) return []
  const s = backtest.stats ?? {}
  const trades = backtest.total_trades ?? s.total_trades ?? 0
  return [
    { id: 'final', label: 'Montant final', value: formatMoney(backtest.final_amount ?? s.final_amount),
      hint: `Départ ${formatMoney(backtest.initial_amount)}`, tone: 'primary' },
    { id: 'pnl', label: 'P&L', value: formatSigned(backtest.total_pnl ?? s.total_pnl),
      hint: formatPct(backtest.total_pnl_pct ?? s.total_pnl_pct, { signed: true }), tone: tone(backtest.total_pnl) },
    { id: 'trades', label: 'Trades', value: String(trades),
      hint: `${backtest.winning_trades ?? 0} gagnant(s) · ${backtest.losing_trades ?? 0} perdant(s)`, tone: 'neutral' },
    { id: 'win-rate', label: 'Taux de réussite', value: formatPct(backtest.win_rate ?? s.win_rate, { decimals: 1 }),
      hint: s.biggest_win != null ? `Meilleur ${formatSigned(s.biggest_win)}` : '', tone: 'neutral' },
    { id: 'drawdown', label: 'Drawdown max', value: formatPct(backtest.max_drawdown_pct ?? s.max_drawdown_pct),
      hint: formatMoney(backtest.max_drawdown ?? s.max_drawdown), tone: finite(backtest.max_drawdown_pct) && num(backtest.max_drawdown_pct) > 0 ? 'danger' : 'neutral' },
    { id: 'sharpe', label: 'Sharpe', value: formatRatio(backtest.sharpe_ratio ?? s.sharpe_ratio), hint: 'annualisé', tone: 'neutral' },
    { id: 'sortino', label: 'Sortino', value: formatRatio(backtest.sortino_ratio ?? s.sortino_ratio), hint: 'annualisé', tone: 'neutral' },
    { id: 'profit-factor', label: 'Profit factor', value: formatRatio(s.profit_factor),
      hint: s.biggest_loss != null ? `Pire ${formatSigned(s.biggest_loss)}` : '', tone: 'neutral' },
    { id: 'expectancy', label: 'Espérance / trade', value: formatSigned(s.expectancy),
      hint: formatPct(s.expectancy_pct, { signed: true }), tone: tone(s.expectancy) },
    { id: 'exposure', label: 'Exposition', value: formatPct(s.exposure_pct, { decimals: 1 }),
      hint: 'du temps en position', tone: 'neutral' },
    { id: 'fees', label: 'Frais', value: formatMoney(s.fees_paid), hint: `Taux ${formatPct(Number(backtest.fee_rate) * 100, { decimals: 4, minDecimals: 0 })}`, tone: 'neutral' },
    { id: 'buy-hold', label: 'Buy & hold', value: formatMoney(s.buy_and_hold_final),
      hint: `${formatPct(s.buy_and_hold_pct, { signed: true })} · stratégie ${formatPct(s.vs_buy_and_hold_pct, { signed: true })}`,
      tone: tone(s.buy_and_hold_pct) },
  ]
}

const value = (backtest, key) => backtest?.[key] ?? backtest?.stats?.[key] ?? null

/** Lignes comparées : `better` = sens favorable (`higher`, `lower`) ou null (informatif). */
export const COMPARE_FIELDS = Object.freeze([
  { key: 'total_pnl_pct', label: 'P&L %', format: (v) => formatPct(v, { signed: true }), better: 'higher' },
  { key: 'final_amount', label: 'Montant final', format: formatMoney, better: null },
  { key: 'total_trades', label: 'Trades', format: (v) => (v ?? EMPTY).toString(), better: null },
  { key: 'win_rate', label: 'Taux de réussite', format: (v) => formatPct(v, { decimals: 1 }), better: 'higher' },
  { key: 'max_drawdown_pct', label: 'Drawdown max', format: (v) => formatPct(v), better: 'lower' },
  { key: 'sharpe_ratio', label: 'Sharpe', format: formatRatio, better: 'higher' },
  { key: 'sortino_ratio', label: 'Sortino', format: formatRatio, better: 'higher' },
  { key: 'profit_factor', label: 'Profit factor', format: formatRatio, better: 'higher' },
  { key: 'expectancy_pct', label: 'Espérance / trade', format: (v) => formatPct(v, { signed: true }), better: 'higher' },
  { key: 'exposure_pct', label: 'Exposition', format: (v) => formatPct(v, { decimals: 1 }), better: null },
  { key: 'fees_paid', label: 'Frais', format: formatMoney, better: 'lower' },
  { key: 'vs_buy_and_hold_pct', label: 'vs buy & hold', format: (v) => formatPct(v, { signed: true }), better: 'higher' },
])

/** Tableau de comparaison de deux backtests ; `winner` : 'a', 'b' ou null (égalité, valeur absente). */
export function compareRows(a, b) {
  return COMPARE_FIELDS.map((field) => {
    const x = num(value(a, field.key))
    const y = num(value(b, field.key))
    let winner = null
    if (field.better && Number.isFinite(x) && Number.isFinite(y) && x !== y) {
      winner = (field.better === 'higher') === x > y ? 'a' : 'b'
    }
    return { key: field.key, label: field.label, a: field.format(value(a, field.key)),
      b: field.format(value(b, field.key)), winner }
  })
}
