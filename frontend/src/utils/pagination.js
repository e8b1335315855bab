/**
 * Pagination d'une liste servie par l'API (`?page=N&page_size=M` → `{count, next, previous, results}`) :
 * tailles de page proposées, bornes, fenêtre affichée et numéros de page compacts.
 */

export const PAGE_SIZES = Object.freeze([10, 25, 50, 100])
export const DEFAULT_PAGE_SIZE = 25
export const GAP = '…'

/** Taille proposée la plus proche de celle demandée (25 si illisible). */
export function normalizePageSize(size) {
  const n = Number(size)
  if (PAGE_SIZES.includes(n)) return n
  if (!Number.isFinite(n) || n <= 0) return DEFAULT_PAGE_SIZE
  return PAGE_SIZES.reduce((best, s) => (Math.abs(s - n) < Math.abs(best - n) ? s : best))
}

/** Nombre de pages (au moins 1, même pour une liste vide). */
export function pageCount(count, pageSize) {
  const total = Math.max(0, Number(count) || 0)
  return Math.max(1, Math.ceil(total / normalizePageSize(pageSize)))
}

/** Page ramenée entre 1 et la dernière. */
export function clampPage(page, count, pageSize) {
  const n = Math.trunc(Number(page)) || 1
  return Math.min(Math.max(1, n), pageCount(count, pageSize))
}

/** Rangs (base 1) des éléments affichés : `{from, to}` ; `{0, 0}` pour une liste vide. */
export function pageWindow({ page, pageSize, count }) {
  const total = Math.max(0, Number(count) || 0)
  if (!total) return { from: 0, to: 0 }
  const size = normalizePageSize(pageSize)
  const current = clampPage(page, total, size)
  return { from: (current - 1) * size + 1, to: Math.min(total, current * size) }
}

/** « 1–25 sur 312 » (ou « Aucun résultat »). */
export function pageLabel(state) {
  const { from, to } = pageWindow(state)
  if (!from) return 'Aucun résultat'
  return `${from}–${to} sur ${Number(state.count)}`
}

/** Changement de taille : la nouvelle page contient toujours le premier élément affiché. */
export function pageAfterResize({ page, pageSize }, newSize) {
  const first = (Math.max(1, Number(page) || 1) - 1) * normalizePageSize(pageSize)
  return Math.floor(first / normalizePageSize(newSize)) + 1
}

/**
 * Numéros de page à afficher, compacts : `[1, '…', 4, 5, 6, '…', 20]` (toujours la première, la
 * dernière et `around` voisines de la page courante).
 */
export function visiblePages(page, totalPages, around = 1) {
  const last = Math.max(1, Number(totalPages) || 1)
  const current = Math.min(Math.max(1, Number(page) || 1), last)
  const pages = []
  for (let p = 1; p <= last; p += 1) {
    if (p === 1 || p === last || Math.abs(p - current) <= around) pages.push(p)
    else if (pages[pages.length - 1] !== GAP) pages.push(GAP)
  }
  return pages
}
