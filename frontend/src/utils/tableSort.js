/** Tri des tableaux (BaseTable) : nombres (y compris décimaux en texte) puis textes ; vides en dernier. */

const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true })

const isEmpty = (v) => v === null || v === undefined || v === ''

function asNumber(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  return null
}

/** Comparaison croissante ; les valeurs vides sont toujours placées après les autres. */
export function compareValues(a, b) {
  if (isEmpty(a) || isEmpty(b)) return Number(isEmpty(a)) - Number(isEmpty(b))
  const x = asNumber(a)
  const y = asNumber(b)
  if (x !== null && y !== null) return x - y
  return collator.compare(String(a), String(b))
}

/** Nouvelle liste triée par `key` (`asc` | `desc`), stable, vides en dernier dans les deux sens. */
export function sortRows(rows, key, direction = 'desc') {
  const sign = direction === 'asc' ? 1 : -1
  return rows
    .map((row, index) => ({ row, index }))
    .sort((left, right) => {
      const a = left.row?.[key]
      const b = right.row?.[key]
      if (isEmpty(a) || isEmpty(b)) return compareValues(a, b) || left.index - right.index
      return sign * compareValues(a, b) || left.index - right.index
    })
    .map(({ row }) => row)
}

/** Clic sur un en-tête : même colonne → sens inversé ; autre colonne → son sens par défaut. */
export function nextSort(current, key, defaultDirection = 'desc') {
  if (current?.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' }
  return { key, direction: defaultDirection }
}
