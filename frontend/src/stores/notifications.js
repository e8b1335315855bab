import { defineStore } from 'pinia'
import { ref } from 'vue'

export const NOTIFICATION_TIMEOUT_MS = 6000
const MAX_VISIBLE = 5

/** Messages éphémères (toasts) : erreurs d'API, confirmations. */
export const useNotificationsStore = defineStore('notifications', () => {
  const items = ref([])
  let nextId = 1

  function dismiss(id) {
    items.value = items.value.filter((item) => item.id !== id)
  }

  /** @param {{kind?: 'info'|'success'|'error'|'warning', message: string, timeout?: number}} notification */
  function notify({ kind = 'info', message, timeout = NOTIFICATION_TIMEOUT_MS }) {
    const id = nextId++
    items.value = [...items.value, { id, kind, message }].slice(-MAX_VISIBLE)
    if (timeout > 0) setTimeout(() => dismiss(id), timeout)
    return id
  }

  const error = (message) => notify({ kind: 'error', message })
  const success = (message) => notify({ kind: 'success', message })

  return { items, notify, dismiss, error, success }
})
